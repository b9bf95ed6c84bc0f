import type { Context } from 'aws-lambda';
import { imageStoreCountingAlbums } from './lib/aws/image-store-instance';
import { sfnExecutions } from './lib/aws/sfn-executions';
import { stateMachineArn } from './lib/config';
import { logger } from './lib/logger';
import { objectsCreatedIn } from './lib/s3-events';
import { triggerProcessing, type TriggerDeps, type TriggerOutcome } from './lib/trigger';

// An upload into an album folder counts in the album, in the same transaction as its item.
const deps: TriggerDeps = { store: imageStoreCountingAlbums, executions: sfnExecutions, stateMachineArn };

/**
 * S3Trigger: records each uploaded object as PROCESSING and starts one execution of ImageProcessing for it, exactly
 * once however often S3 delivers the event (see functions/lib/trigger.ts).
 */
export const handler = async (event: unknown, context?: Context): Promise<TriggerOutcome[]> => {
  if (context) logger.addContext(context);
  const outcomes: TriggerOutcome[] = [];
  for (const created of objectsCreatedIn(event)) outcomes.push(await triggerProcessing(created, deps));
  return outcomes;
};
