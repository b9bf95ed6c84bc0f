import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { imageIdFor, uploadKeyOf } from '../../functions/lib/upload-key';
import type { Notification, NotificationCollector } from './notifications';
import type { PipelineTarget } from './target';

/**
 * One photo through the backend: upload it under private/{user}/uploads/[{album}/]{name}, wait until its item
 * reaches a final status for this upload (a sequencer newer than the one before the upload) and its execution has
 * ended, then fetch the thumbnail if asked.
 */
export type FinalStatus = 'SUCCEEDED' | 'UNSUPPORTED' | 'FAILED';

export interface PipelineResult {
  file: string;
  key: string;
  status: FinalStatus;
  executionArn: string | null;
  error: { name: string; message: string } | null;
  item: Record<string, unknown> | null;
  thumbnailFile: string | null;
  /** What the workflow published about this upload (matched by its imageId attribute); [] when nothing. */
  notifications: Notification[];
}

export interface PhotoJob {
  file: string;
  user: string;
  album?: string;
  outDir?: string;
  timeoutMs: number;
  /** Collects the stack's notifications (local stacks); without it `notifications` is []. */
  notifications?: NotificationCollector;
}

const TERMINAL = new Set(['SUCCEEDED', 'UNSUPPORTED', 'FAILED']);
const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
};

export function keyFor(job: Pick<PhotoJob, 'file' | 'user' | 'album'>): string {
  return uploadKeyOf({
    userId: job.user,
    ...(job.album ? { albumId: job.album } : {}),
    fileName: path.basename(job.file),
  });
}

export async function processPhoto(target: PipelineTarget, job: PhotoJob): Promise<PipelineResult> {
  const key = keyFor(job);
  const imageId = imageIdFor(key);
  const base = { file: job.file, key };
  const before = await getItem(target, imageId);
  const previousOrder = typeof before?.sequencerOrder === 'string' ? before.sequencerOrder : undefined;

  await target.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      Body: readFileSync(job.file),
      ContentType: CONTENT_TYPES[path.extname(job.file).toLowerCase()] ?? 'application/octet-stream',
    }),
  );

  const deadline = Date.now() + job.timeoutMs;
  let item: Record<string, unknown> | undefined;
  let wait = 150;
  for (;;) {
    item = await getItem(target, imageId);
    const fresh = item && (previousOrder === undefined || String(item.sequencerOrder) > previousOrder);
    if (fresh && item && TERMINAL.has(String(item.status))) break;
    if (Date.now() > deadline) {
      return {
        ...base,
        status: 'FAILED',
        executionArn: fresh && typeof item?.executionArn === 'string' ? item.executionArn : null,
        error: {
          name: 'Timeout',
          message: fresh
            ? `Still ${String(item?.status)} after ${job.timeoutMs / 1000} s`
            : `No processing started within ${job.timeoutMs / 1000} s (is the upload rule wired to ${target.bucket}?)`,
        },
        item: fresh ? (item ?? null) : null,
        thumbnailFile: null,
        notifications: [],
      };
    }
    await sleep(wait);
    wait = Math.min(1000, Math.round(wait * 1.5));
  }

  const executionArn = typeof item.executionArn === 'string' ? item.executionArn : null;
  if (executionArn) {
    for (;;) {
      const { status } = await target.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') break;
      if (Date.now() > deadline) break;
      await sleep(200);
    }
  }

  let thumbnailFile: string | null = null;
  const thumbnail = item.thumbnail as { key?: string } | undefined;
  if (job.outDir && typeof thumbnail?.key === 'string') {
    const answer = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: thumbnail.key }));
    const bytes = await answer.Body?.transformToByteArray();
    if (bytes) {
      mkdirSync(job.outDir, { recursive: true });
      thumbnailFile = path.join(job.outDir, path.basename(thumbnail.key));
      writeFileSync(thumbnailFile, bytes);
    }
  }
  const recorded = item.error as { name?: unknown; message?: unknown } | undefined;
  const notifications = job.notifications ? await job.notifications.forUpload(imageId, target.sfn, executionArn) : [];
  return {
    ...base,
    status: String(item.status) as FinalStatus,
    executionArn,
    error: recorded ? { name: String(recorded.name ?? 'Error'), message: String(recorded.message ?? '') } : null,
    item,
    thumbnailFile,
    notifications,
  };
}

async function getItem(target: PipelineTarget, imageId: string): Promise<Record<string, unknown> | undefined> {
  const answer = await target.documents.send(
    new GetCommand({ TableName: target.table, Key: { imageId }, ConsistentRead: true }),
  );
  return answer.Item as Record<string, unknown> | undefined;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs jobs with at most `concurrency` in flight; onResult sees each result as it comes, in input order. */
export async function runAll<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  onResult: (result: R, index: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const done: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  let emitted = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
      done[index] = true;
      while (emitted < items.length && done[emitted]) {
        onResult(results[emitted] as R, emitted);
        emitted += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
