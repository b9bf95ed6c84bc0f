import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * The one place AWS clients are built. Endpoints come from the SDK's own AWS_ENDPOINT_URL(_<SERVICE>)
 * variables, so the same bundle talks to AWS or to the local stack. Checksums only when an API requires them:
 * the SDK's default trailing checksums break S3 emulators and presigned PUTs made for browsers.
 * Clients are created lazily, once per container, so a handler pays only for the clients it uses.
 */
const common = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

let s3: S3Client | undefined;
let documents: DynamoDBDocumentClient | undefined;
let rekognition: RekognitionClient | undefined;
let sfn: SFNClient | undefined;

export function s3Client(): S3Client {
  s3 ??= new S3Client({ ...common, forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
  return s3;
}

export function documentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(new DynamoDBClient(common), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return documents;
}

export function rekognitionClient(): RekognitionClient {
  rekognition ??= new RekognitionClient(common);
  return rekognition;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient(common);
  return sfn;
}
