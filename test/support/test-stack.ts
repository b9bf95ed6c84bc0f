import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clientOptions } from '../../functions/lib/aws/client-options';
import { imageIdFor } from '../../functions/lib/upload-key';
import { fileLog } from '../../local/log';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';
import { PROJECT_ROOT } from '../../local/template';

/** A real local stack on a free port with a temp data folder, and SDK clients pointed at it. */
export const IMAGES = path.join(PROJECT_ROOT, 'test/fixtures/images');

export interface TestStack {
  stack: LocalStack;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  sfn: SFNClient;
  dataDir: string;
  bucket: string;
  table: string;
  stateMachineArn: string;
  item(key: string): Promise<Record<string, unknown> | undefined>;
  history(executionArn: string): Promise<HistoryEvent[]>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function clientsFor(endpoint: string, region = 'us-east-1') {
  const base = { ...clientOptions, endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const s3 = new S3Client({ ...base, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(base);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const sfn = new SFNClient(base);
  return {
    base,
    s3,
    dynamodb,
    documents,
    sfn,
    destroy: () => [s3, dynamodb, sfn].forEach((client) => client.destroy()),
  };
}

export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? tempDir('e2e-stack-');
  const stack = await startLocalStack({
    port: 0,
    retryIntervalMs: 0,
    eventRetryDelayMs: 50,
    log: fileLog(path.join(dataDir, 'stack.log')),
    ...options,
    dataDir,
  });
  const clients = clientsFor(stack.endpoint, stack.model.identity.region);
  const outputs = stack.model.outputs;
  const table = outputs.ImageMetadataTableName?.value ?? '';
  return {
    stack,
    s3: clients.s3,
    documents: clients.documents,
    sfn: clients.sfn,
    dataDir,
    bucket: outputs.PhotoRepoBucketName?.value ?? '',
    table,
    stateMachineArn: outputs.ImageProcessingStateMachineArn?.value ?? '',
    async item(key) {
      const answer = await clients.documents.send(
        new GetCommand({ TableName: table, Key: { imageId: imageIdFor(key) }, ConsistentRead: true }),
      );
      return answer.Item as Record<string, unknown> | undefined;
    },
    async history(executionArn) {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },
    async stop(stopOptions) {
      clients.destroy();
      await stack.stop();
      if (!stopOptions?.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
