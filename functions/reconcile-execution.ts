import type { Context } from 'aws-lambda';
import { abandonedItems } from './lib/aws/dynamodb-abandoned-items';
import { executionReader } from './lib/aws/sfn-execution-reader';
import { notificationPublisher } from './lib/aws/sns-notifications';
import { stateMachineArn } from './lib/config';
import { logger } from './lib/logger';
import { reconcileExecution, type ReconcileDeps, type ReconcileOutcome } from './lib/reconcile';

const deps: ReconcileDeps = {
  items: abandonedItems,
  executions: () => executionReader,
  notifications: () => notificationPublisher,
  stateMachineArn,
};

/**
 * ReconcileExecution: on "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of ImageProcessing,
 * marks the item its execution left PROCESSING as FAILED, saying why, and sends its one notification
 * (functions/lib/reconcile.ts).
 */
export const handler = async (event: unknown, context?: Context): Promise<ReconcileOutcome> => {
  if (context) logger.addContext(context);
  return reconcileExecution(event, deps, new Date());
};
