import type { Lazy } from './config';
import { executionArnFor, executionNameFor } from './execution-name';
import type { ExecutionStarter } from './executions';
import type { UploadRef } from './image-item';
import type { ImageStore } from './image-store';
import { logger } from './logger';
import type { ObjectCreated } from './s3-events';
import { imageIdFor, tryParseUploadKey } from './upload-key';

export type TriggerOutcome =
  | { key: string; outcome: 'started' | 'duplicate'; executionArn: string }
  | { key: string; outcome: 'stale' | 'skipped'; reason: string };

/** What S3Trigger works with, each resolved when first needed: a key outside uploads/ needs none of them. */
export type TriggerDeps = Lazy<{ store: ImageStore; executions: ExecutionStarter; stateMachineArn: string }>;

/**
 * S3Trigger for one upload: one execution of ImageProcessing per upload. The execution name is derived from bucket +
 * key + sequencer, so a redelivered event never starts a second one (an existing execution counts as success), and
 * the item is recorded as PROCESSING first, so no execution runs without an item saying where it stands.
 */
export async function triggerProcessing(created: ObjectCreated, deps: TriggerDeps): Promise<TriggerOutcome> {
  logger.resetKeys();
  logger.appendKeys({ s3Key: created.key });
  const parsed = tryParseUploadKey(created.key);
  if (!parsed) {
    logger.info('Skipped a key outside private/{userId}/uploads/');
    return { key: created.key, outcome: 'skipped', reason: 'not an upload key' };
  }
  const upload: UploadRef = {
    ...parsed,
    bucket: created.bucket,
    imageId: imageIdFor(created.key),
    sequencer: created.sequencer,
    eventTime: created.eventTime,
    ...(created.sizeBytes === undefined ? {} : { sizeBytes: created.sizeBytes }),
    ...(created.etag ? { etag: created.etag } : {}),
    ...(created.versionId ? { versionId: created.versionId } : {}),
  };
  const machine = deps.stateMachineArn();
  const name = executionNameFor(created.bucket, created.key, created.sequencer);
  const executionArn = executionArnFor(machine, name);
  logger.appendKeys({ executionArn });

  const recorded = await deps.store().startProcessing(upload, executionArn, new Date());
  if (recorded === 'stale') {
    logger.warn('Skipped an event older than the upload the item already holds', { sequencer: created.sequencer });
    return { key: created.key, outcome: 'stale', reason: 'a newer upload of this key is already recorded' };
  }
  const started = await deps.executions().start(machine, name, { upload });
  logger.info(started === 'started' ? 'Started processing' : 'Duplicate delivery: the execution already exists');
  return { key: created.key, outcome: started, executionArn };
}
