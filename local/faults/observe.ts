import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { imageIdFor } from '../../functions/lib/upload-key';
import { publishedCount } from '../pipeline/notifications';
import type { HarnessClients } from './clients';
import { seeImage, type SeenImage } from './images';
import type { FaultPlan, PlannedObject } from './plan';

/**
 * What the stack holds once the run is over, read with the run's own clients: the planned objects as they are now,
 * every key of the bucket, both tables, every execution (its input's upload and how many sns:publish tasks it
 * completed) and the thumbnails of finished items, decoded. ./reconcile.ts judges it.
 */
type Item = Record<string, unknown>;

export interface ObservedExecution {
  arn: string;
  status: string;
  key: string | undefined;
  sequencer: string | undefined;
  etag: string | undefined;
  publishes: number;
}

export interface Observed {
  /** Planned key -> its ETag now, or null when it does not exist. */
  objects: Record<string, string | null>;
  keys: string[];
  items: Item[];
  albums: Item[];
  executions: ObservedExecution[];
  /** Thumbnail key -> what it shows, or null when it does not exist. */
  thumbnails: Record<string, SeenImage | null>;
}

export async function observe(plan: FaultPlan, clients: HarnessClients): Promise<Observed> {
  const objects: Record<string, string | null> = {};
  for (const object of plan.objects) objects[object.key] = await etagNow(clients, object.key);
  const items = await scan(clients, clients.outputs.imageTable);
  const thumbnails: Record<string, SeenImage | null> = {};
  for (const item of items) {
    const key = (item.thumbnail as { key?: string } | undefined)?.key;
    if (item.status === 'SUCCEEDED' && key) thumbnails[key] = await thumbnailNow(clients, key);
  }
  return {
    objects,
    keys: await listKeys(clients),
    items,
    albums: await scan(clients, clients.outputs.albumTable),
    executions: await executions(clients),
    thumbnails,
  };
}

/**
 * Waits until the stack is done: idle (no event delivery, held or retried, no execution, no publish under way), no
 * execution RUNNING, and the items and executions the same a few seconds later (what a reconciliation after the
 * restart does happens within that); or until `timeoutMs`. Answers whether it settled.
 */
export async function settle(
  clients: HarnessClients,
  idle: (timeoutMs: number) => Promise<boolean>,
  options: { quietMs: number; timeoutMs: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!(await idle(Math.max(1, deadline - Date.now())))) return false;
    const list = await listExecutions(clients);
    const print = fingerprint(list, await scan(clients, clients.outputs.imageTable));
    if (print === last && !list.some((execution) => execution.status === 'RUNNING')) return true;
    last = print;
    await new Promise((resolve) => setTimeout(resolve, options.quietMs));
  }
  return false;
}

function fingerprint(list: ExecutionListItem[], items: Item[]): string {
  const hash = createHash('sha256');
  for (const execution of list) hash.update(`${execution.executionArn} ${execution.status}\n`);
  for (const item of items) hash.update(`${String(item.imageId)} ${String(item.status)} ${String(item.updatedAt)}\n`);
  return hash.digest('hex');
}

/**
 * Waits until the stack is done with the object as its last step left it: its item ended (neither missing nor
 * PROCESSING) after a put, or gone (no status) after a delete; or until `timeoutMs`. Answers whether it was done.
 */
export async function objectFinished(
  clients: HarnessClients,
  object: PlannedObject,
  timeoutMs: number,
): Promise<boolean> {
  const deleted = object.steps.at(-1)?.action === 'delete';
  const deadline = Date.now() + timeoutMs;
  const get = new GetCommand({
    TableName: clients.outputs.imageTable,
    Key: { imageId: imageIdFor(object.key) },
    ConsistentRead: true,
  });
  for (;;) {
    // While the stack restarts nothing answers: ask again until the deadline.
    const answer = await clients.documents.send(get).catch(() => undefined);
    const status = answer?.Item?.status as string | undefined;
    if (answer && (deleted ? status === undefined : status !== undefined && status !== 'PROCESSING')) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits until at least one execution is RUNNING (or `timeoutMs` passes), so the restart that follows cuts some off;
 * answers how many were running.
 */
export async function runningExecutions(clients: HarnessClients, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await clients.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: clients.outputs.stateMachineArn,
        statusFilter: 'RUNNING',
        maxResults: 1000,
      }),
    );
    const running = page.executions?.length ?? 0;
    if (running > 0 || Date.now() >= deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function etagNow(clients: HarnessClients, key: string): Promise<string | null> {
  try {
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: clients.outputs.bucket, Key: key }));
    return head.ETag ?? null;
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
}

async function thumbnailNow(clients: HarnessClients, key: string): Promise<SeenImage | null> {
  try {
    const answer = await clients.s3.send(new GetObjectCommand({ Bucket: clients.outputs.bucket, Key: key }));
    return await seeImage(
      await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound') return null;
    throw error;
  }
}

async function listKeys(clients: HarnessClients): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: clients.outputs.bucket, ContinuationToken: token }),
    );
    for (const entry of page.Contents ?? []) if (entry.Key) keys.push(entry.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function scan(clients: HarnessClients, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.documents.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function listExecutions(clients: HarnessClients): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: clients.outputs.stateMachineArn, maxResults: 1000, nextToken }),
    );
    all.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

async function executions(clients: HarnessClients): Promise<ObservedExecution[]> {
  const observed: ObservedExecution[] = [];
  for (const execution of await listExecutions(clients)) {
    const arn = execution.executionArn as string;
    const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const upload = (JSON.parse(described.input ?? '{}') as { upload?: Record<string, string> }).upload ?? {};
    observed.push({
      arn,
      status: described.status ?? 'UNKNOWN',
      key: upload.key,
      sequencer: upload.sequencer,
      etag: upload.etag,
      publishes: await publishedCount(clients.sfn, arn),
    });
  }
  return observed;
}
