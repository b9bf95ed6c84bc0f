import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDynamoDbService, type DynamoDbService } from '../../../local/dynamodb/dynamodb-service';
import { silentLog } from '../../../local/log';
import type { TableModel } from '../../../local/stack-model';

/** The local DynamoDB service (dynalite behind the stack's proxy) on its own port, with a document client. */
export interface LocalDynamo {
  documents: DynamoDBDocumentClient;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export function table(name: string, keys: [string, string?], indexes: TableModel['createTable'] = {}): TableModel {
  const [hash, range] = keys;
  const attributes = [hash, ...(range ? [range] : [])];
  return {
    logicalId: name,
    name,
    createTable: {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        ...(range ? [{ AttributeName: range, KeyType: 'RANGE' }] : []),
      ],
      ...indexes,
    },
  };
}

export async function startLocalDynamo(tables: TableModel[]): Promise<LocalDynamo> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'dynamo-test-'));
  const service: DynamoDbService = await startDynamoDbService({
    directory,
    tables,
    region: 'us-east-1',
    log: silentLog(),
  });
  const server = http.createServer((req, res) => service.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return {
    documents,
    client,
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await service.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
