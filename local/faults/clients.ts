import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../../functions/lib/aws/client-options';

/**
 * The fault run's own clients of the stack. They sign with an access key of their own, never the functions' one,
 * so no fault is injected into what the run itself uploads, deletes or reads back.
 */
export const HARNESS_CREDENTIALS = { accessKeyId: 'faults-run', secretAccessKey: 'faults-run' };

export interface StackOutputs {
  bucket: string;
  imageTable: string;
  albumTable: string;
  stateMachineArn: string;
}

export interface HarnessClients {
  endpoint: string;
  outputs: StackOutputs;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  sfn: SFNClient;
  config: Record<string, unknown>;
  close(): void;
}

const OUTPUTS: Record<keyof StackOutputs, string> = {
  bucket: 'PhotoRepoBucketName',
  imageTable: 'ImageMetadataTableName',
  albumTable: 'AlbumMetadataTableName',
  stateMachineArn: 'ImageProcessingStateMachineArn',
};

export async function harnessClients(endpoint: string, region = 'us-east-1'): Promise<HarnessClients> {
  const health = (await (await fetch(new URL('/_local/health', endpoint))).json()) as {
    outputs: Record<string, string>;
  };
  const outputs = Object.fromEntries(
    Object.entries(OUTPUTS).map(([field, output]) => {
      const value = health.outputs[output];
      if (!value) throw new Error(`the stack has no output ${output}`);
      return [field, value];
    }),
  ) as unknown as StackOutputs;
  const config = { ...clientOptions, region, endpoint, credentials: HARNESS_CREDENTIALS, maxAttempts: 5 };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const sfn = new SFNClient(config);
  return {
    endpoint,
    outputs,
    s3,
    documents,
    sfn,
    config,
    close() {
      s3.destroy();
      dynamodb.destroy();
      sfn.destroy();
    },
  };
}
