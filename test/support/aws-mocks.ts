import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { logger } from '../../functions/lib/logger';
import { stateMachineArn } from './asl-definition';
import { BUCKET } from './fixtures';

// Most handler tests take the fixtures along with the mocks.
export { BUCKET, eventFixture, FIXTURE_IMAGES, fixtureImage, uploadFor, USER_ID } from './fixtures';

/**
 * aws-sdk-client-mock stubs of every client the adapters in functions/lib/aws/ build (S3, the DynamoDB document client,
 * Rekognition, Step Functions, SNS), with the environment template.yaml gives the functions. The stubs patch the client
 * prototypes, so the lazily created clients are covered. S3 serves `objects` (Range honoured) and stores PutObject
 * bodies there; DynamoDB accepts every write; Rekognition sees a castle, no face and nothing to moderate. Tests
 * override per command.
 */
export const TABLE = 'ImageMetadataTable';
export const ALBUM_TABLE = 'AlbumMetadataTable';
export const STATE_MACHINE_ARN = stateMachineArn('ImageProcessing');
export const NOTIFICATION_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:NotificationTopic';
/** The version id the mocked S3 answers for every PutObject (a versioned bucket, as the template's). */
export const WRITTEN_VERSION_ID = 'written-version-0000000000000000';

const ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  IMAGE_METADATA_TABLE: TABLE,
  ALBUM_METADATA_TABLE: ALBUM_TABLE,
  PHOTO_BUCKET: BUCKET,
  UPLOAD_MAX_BYTES: String(50 * 1024 * 1024),
  STATE_MACHINE_ARN,
  NOTIFICATION_TOPIC_ARN,
  THUMBNAIL_MAX_SIZE: '250',
  THUMBNAIL_MAX_PIXELS: '100000000',
  LABELS_MAX_COUNT: '20',
  LABELS_MIN_CONFIDENCE: '70',
};

/** An AWS SDK-shaped service error (name, $metadata, $fault), as the clients throw them. */
export function awsError(name: string, httpStatusCode = 400, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/** TransactWriteItems refused: one cancellation code per action, in order (`None` for the actions that were fine). */
export function transactionCancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
    $metadata: {},
  });
}

export class AwsMocks {
  readonly s3: AwsClientStub<S3Client>;
  readonly dynamo: AwsClientStub<DynamoDBDocumentClient>;
  readonly rekognition: AwsClientStub<RekognitionClient>;
  readonly sfn: AwsClientStub<SFNClient>;
  readonly snsClient: AwsClientStub<SNSClient>;
  readonly objects = new Map<string, Uint8Array>();
  private readonly savedEnv: Record<string, string | undefined> = {};

  constructor() {
    for (const [name, value] of Object.entries(ENV)) {
      this.savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    logger.setLogLevel('SILENT');
    this.s3 = mockClient(S3Client);
    this.dynamo = mockClient(DynamoDBDocumentClient);
    this.rekognition = mockClient(RekognitionClient);
    this.sfn = mockClient(SFNClient);
    this.snsClient = mockClient(SNSClient);
    this.reset();
  }

  /** Default answers: S3 serves `objects`, DynamoDB accepts every write, Rekognition sees a castle and no face. */
  reset(): void {
    this.objects.clear();
    for (const stub of [this.s3, this.dynamo, this.rekognition, this.sfn, this.snsClient]) stub.reset();
    this.s3.on(HeadObjectCommand).callsFake(({ Key }: { Key: string }) => {
      const body = this.objects.get(Key);
      if (!body) throw awsError('NotFound', 404);
      return { ContentLength: body.byteLength, LastModified: new Date('2026-11-22T10:15:31Z'), ETag: '"etag"' };
    });
    this.s3.on(GetObjectCommand).callsFake(({ Key, Range }: { Key: string; Range?: string }) => {
      const body = this.objects.get(Key);
      if (!body) throw awsError('NoSuchKey', 404);
      const bytes = sliceRange(body, Range);
      return { ContentLength: bytes.byteLength, Body: { transformToByteArray: async () => bytes } };
    });
    this.s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      this.objects.set(String(input.Key), input.Body as Uint8Array);
      return { ETag: '"thumbnail"', VersionId: WRITTEN_VERSION_ID };
    });
    this.dynamo.on(UpdateCommand).resolves({});
    this.dynamo.on(PutCommand).resolves({});
    this.dynamo.on(TransactWriteCommand).resolves({});
    this.dynamo.on(GetCommand).resolves({});
    this.rekognition.on(DetectLabelsCommand).resolves({
      Labels: [
        { Name: 'Outdoors', Confidence: 98.21, Parents: [], Categories: [{ Name: 'Nature and Outdoors' }] },
        {
          Name: 'Castle',
          Confidence: 81.456,
          Parents: [{ Name: 'Building' }, { Name: 'Architecture' }],
          Instances: [{ BoundingBox: { Width: 0.42, Height: 0.51, Left: 0.31, Top: 0.12 }, Confidence: 81.456 }],
        },
      ],
    });
    this.rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] });
    this.rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] });
    this.snsClient.on(PublishCommand).resolves({ MessageId: 'message-0' });
  }

  restore(): void {
    for (const stub of [this.s3, this.dynamo, this.rekognition, this.sfn, this.snsClient]) stub.restore();
    for (const [name, value] of Object.entries(this.savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO');
  }

  /** The item fields every UpdateCommand on the ImageMetadata table set, decoded from its `#fN = :vN` assignments. */
  itemWrites(): ItemWrite[] {
    return this.dynamo
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input as UpdateCommandInput)
      .filter((input) => input.TableName === TABLE)
      .map(decodeUpdate);
  }

  thumbnailPuts(): PutObjectCommandInput[] {
    return this.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
  }
}

export interface ItemWrite {
  imageId: string;
  fields: Record<string, unknown>;
  condition: string | undefined;
}

export function decodeUpdate(input: UpdateCommandInput): ItemWrite {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const fields: Record<string, unknown> = {};
  const assignments = (input.UpdateExpression ?? '').replace(/^SET /, '').split(', ');
  for (const assignment of assignments) {
    const plain = /^(#\w+) = (:\w+)$/.exec(assignment);
    const ifMissing = /^(#\w+) = if_not_exists\(#\w+, (:\w+)\)$/.exec(assignment);
    const [, name, value] = plain ?? ifMissing ?? [];
    if (name && value) fields[names[name] ?? name] = values[value];
  }
  return {
    imageId: String((input.Key as { imageId?: unknown } | undefined)?.imageId),
    fields,
    condition: input.ConditionExpression,
  };
}

function sliceRange(body: Uint8Array, range: string | undefined): Uint8Array {
  if (!range) return body;
  const match = /^bytes=(\d+)-(\d*)$/.exec(range);
  if (!match) throw awsError('InvalidRange', 416);
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]) + 1, body.byteLength) : body.byteLength;
  if (start >= body.byteLength && body.byteLength > 0) throw awsError('InvalidRange', 416);
  return body.slice(start, end);
}
