import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { sfnClient } from './lib/aws/sfn-client';
import { stateMachineArn } from './lib/config';
import { executionArnFor, executionNameFor } from './lib/execution-name';
import type { UploadRef } from './lib/image-item';
import { imageStoreCountingAlbums } from './lib/image-store-instance';
import { logger } from './lib/logger';
import { objectsCreatedIn, type ObjectCreated } from './lib/s3-events';
import { callAws } from './lib/transient';
import { imageIdFor, tryParseUploadKey } from './lib/upload-key';

export type TriggerOutcome =
  | { key: string; outcome: 'started' | 'duplicate'; executionArn: string }
  | { key: string; outcome: 'stale' | 'skipped'; reason: string };

/**
 * S3Trigger: one execution of ImageProcessing per upload. The execution name is derived from bucket + key +
 * sequencer, so a redelivered event never starts a second one (ExecutionAlreadyExists counts as success), and
 * the item is recorded as PROCESSING first, so no execution runs without an item saying where it stands.
 */
export const handler = async (event: unknown, context?: Context): Promise<TriggerOutcome[]> => {
  if (context) logger.addContext(context);
  const outcomes: TriggerOutcome[] = [];
  for (const created of objectsCreatedIn(event)) outcomes.push(await startFor(created));
  return outcomes;
};

async function startFor(created: ObjectCreated): Promise<TriggerOutcome> {
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
  const machine = stateMachineArn();
  const name = executionNameFor(created.bucket, created.key, created.sequencer);
  const executionArn = executionArnFor(machine, name);
  logger.appendKeys({ executionArn });

  const recorded = await imageStoreCountingAlbums().startProcessing(upload, executionArn, new Date());
  if (recorded === 'stale') {
    logger.warn('Skipped an event older than the upload the item already holds', { sequencer: created.sequencer });
    return { key: created.key, outcome: 'stale', reason: 'a newer upload of this key is already recorded' };
  }
  try {
    await callAws('StartExecution', () =>
      sfnClient().send(
        new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify({ upload }) }),
      ),
    );
    logger.info('Started processing');
    return { key: created.key, outcome: 'started', executionArn };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    logger.info('Duplicate delivery: the execution already exists');
    return { key: created.key, outcome: 'duplicate', executionArn };
  }
}
