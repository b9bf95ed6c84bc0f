import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  type CreateTableCommandInput,
  type GlobalSecondaryIndexDescription,
} from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { clientOptions } from '../../functions/lib/aws/client-options';
import { readBody, sendAwsJsonError } from '../http/respond';
import { messageOf, type StackLog } from '../log';
import type { TableModel } from '../stack-model';
import { refusalOf } from './request-checks';
import { serializeWrites, type SerializedWrites } from './transact-write';

/** DynamoDB's largest request (BatchWriteItem) is 16 MB. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * DynamoDB is dynalite (LevelDB under the data folder), on an internal port the gateway proxies to. The tables of
 * template.yaml are created at start; a table that exists from an earlier run gets the template's global secondary
 * indexes added or removed, and a changed key schema is reported (it needs `npm run reset`, as on AWS it needs a
 * replacement).
 */
export interface DynamoDbService {
  readonly internalEndpoint: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

export async function startDynamoDbService(options: {
  directory: string;
  tables: TableModel[];
  region: string;
  log: StackLog;
}): Promise<DynamoDbService> {
  mkdirSync(options.directory, { recursive: true });
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const internalEndpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    ...clientOptions,
    endpoint: internalEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const table of options.tables) await ensureTable(client, table, options.log);
  } catch (error) {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  client.destroy();
  const writes = serializeWrites({ port, log: options.log });

  return {
    internalEndpoint,
    handle(req, res) {
      forward(req, res, { port, log: options.log, writes });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function ensureTable(client: DynamoDBClient, table: TableModel, log: StackLog): Promise<void> {
  const wanted = table.createTable as unknown as CreateTableCommandInput;
  let existing;
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: table.name }))).Table;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  if (!existing) {
    await client.send(new CreateTableCommand(wanted));
    log.line('dynamodb', `created table ${table.name}`);
    return;
  }
  const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    JSON.stringify((schema ?? []).map((k) => [k.AttributeName, k.KeyType]));
  if (keyOf(existing.KeySchema) !== keyOf(wanted.KeySchema)) {
    log.line(
      'dynamodb',
      `table ${table.name} has another key schema than template.yaml; run npm run reset to recreate it`,
    );
    return;
  }
  const have = new Map(
    (existing.GlobalSecondaryIndexes ?? []).map((index: GlobalSecondaryIndexDescription) => [index.IndexName, index]),
  );
  const want = new Map((wanted.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  for (const [name, index] of have) {
    const target = want.get(name);
    if (
      target &&
      keyOf(target.KeySchema) === keyOf(index.KeySchema) &&
      target.Projection?.ProjectionType === index.Projection?.ProjectionType
    )
      continue;
    await client.send(
      new UpdateTableCommand({ TableName: table.name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }),
    );
    log.line('dynamodb', `removed index ${name} from ${table.name} (not in template.yaml as it is)`);
  }
  const current = new Set(
    [...have.entries()]
      .filter(([name, index]) => {
        const target = want.get(name);
        return (
          target &&
          keyOf(target.KeySchema) === keyOf(index.KeySchema) &&
          target.Projection?.ProjectionType === index.Projection?.ProjectionType
        );
      })
      .map(([name]) => name),
  );
  for (const [name, index] of want) {
    if (current.has(name)) continue;
    const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: table.name,
        ...(wanted.BillingMode ? { BillingMode: wanted.BillingMode } : {}),
        AttributeDefinitions: wanted.AttributeDefinitions?.filter((definition) =>
          attributes.has(definition.AttributeName),
        ),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    log.line('dynamodb', `added index ${name} to ${table.name}`);
  }
}

/**
 * Passes a request on once it is read and checked (./request-checks.ts): a write to the queue of ./transact-write.ts,
 * anything else to dynalite, whose answer comes back.
 */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  { port, log, writes }: { port: number; log: StackLog; writes: SerializedWrites },
): void {
  const fail = (status: number, type: string, message: string) =>
    sendAwsJsonError(res, status, `com.amazonaws.dynamodb.v20120810#${type}`, message);
  void readBody(req, MAX_REQUEST_BYTES).then(
    (body) => {
      const refusal = refusalOf(body);
      if (refusal) return fail(400, 'ValidationException', refusal);
      if (writes.handle(req, res, body)) return;
      const upstream = http.request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders as unknown as http.OutgoingHttpHeaders);
          answer.pipe(res);
        },
      );
      upstream.on('error', (error) => {
        log.line('dynamodb', `proxy error: ${messageOf(error)}`);
        if (res.headersSent) res.destroy();
        else fail(503, 'InternalServerError', 'The local DynamoDB is not answering');
      });
      upstream.end(body);
    },
    (error: unknown) => fail(413, 'RequestEntityTooLarge', messageOf(error)),
  );
}
