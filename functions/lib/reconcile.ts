import type { Lazy } from './config';
import { ExecutionAborted, ExecutionFailed, ExecutionTimedOut, InvalidEvent } from './errors';
import { failureMessage } from './failure';
import type { ErrorRecord } from './image-item';
import { logger } from './logger';
import { count, countOutcome, METRIC } from './metrics';
import { notificationFor, type NotificationPublisher } from './notification';
import { imageIdFor, tryParseUploadKey } from './upload-key';

/**
 * ReconcileExecution: an execution of ImageProcessing that ended FAILED, TIMED_OUT or ABORTED may have left its item
 * PROCESSING (RecordFailure failed too, the execution was stopped or timed out, the local stack was cut off). The
 * EventBridge rule on "Step Functions Execution Status Change" brings each such end here, and the item is marked
 * FAILED with the execution's error and cause, only while it is still PROCESSING for that very execution: an item a
 * step already finished, or one a newer upload owns (another execution ARN), is left as it is.
 */

/** The ends of an execution that may leave its item behind. */
export const UNRECORDED_ENDS = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type UnrecordedEnd = (typeof UNRECORDED_ENDS)[number];

/** What the reconciler reads of a "Step Functions Execution Status Change" event. */
export interface ExecutionEnd {
  executionArn: string;
  stateMachineArn: string;
  status: UnrecordedEnd;
  /** The execution's input, when the event carries it (AWS leaves it out above 248 KiB: `inputDetails.included`). */
  input?: string;
  /** Absent when the event does not say; `null` in the event when the execution has none. */
  error?: string | null;
  cause?: string | null;
}

/** What the reconciler needs of the execution when the event does not carry it (DescribeExecution). */
export interface ExecutionDetails {
  input?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionDescriber {
  describeEnd(executionArn: string): Promise<ExecutionDetails | undefined>;
}

/** The one write: FAILED with `error`, only if the item is PROCESSING for `executionArn`. False when it is not. */
export interface AbandonedItems {
  failIfProcessing(imageId: string, executionArn: string, error: ErrorRecord, now: Date): Promise<boolean>;
}

export type ReconcileDeps = Lazy<{
  items: AbandonedItems;
  executions: ExecutionDescriber;
  notifications: NotificationPublisher;
  stateMachineArn: string;
}>;

export type ReconcileOutcome =
  | { executionArn: string; outcome: 'failed'; imageId: string; error: ErrorRecord; notified: boolean }
  | { executionArn: string; outcome: 'unchanged'; imageId: string }
  | { executionArn: string; outcome: 'ignored'; reason: string };

const ERROR_OF: Record<UnrecordedEnd, { new (message: string): Error }> = {
  FAILED: ExecutionFailed,
  TIMED_OUT: ExecutionTimedOut,
  ABORTED: ExecutionAborted,
};

const WORDS: Record<UnrecordedEnd, string> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' };

export async function reconcileExecution(event: unknown, deps: ReconcileDeps, now: Date): Promise<ReconcileOutcome> {
  logger.resetKeys();
  const end = executionEndOf(event);
  logger.appendKeys({ executionArn: end.executionArn });
  if (end.stateMachineArn !== deps.stateMachineArn()) {
    logger.warn('Ignored an execution of another state machine', { stateMachineArn: end.stateMachineArn });
    return { executionArn: end.executionArn, outcome: 'ignored', reason: 'another state machine' };
  }
  // The event carries the input (under 248 KiB) and, as AWS sends it now, error and cause: read them from the
  // execution only when it does not.
  const needed = end.input === undefined || (end.error === undefined && end.cause === undefined);
  const described = needed ? await deps.executions().describeEnd(end.executionArn) : undefined;
  const input = end.input ?? described?.input;
  const key = uploadKeyIn(input);
  if (key === undefined) {
    logger.warn('Ignored an execution whose input names no upload');
    return { executionArn: end.executionArn, outcome: 'ignored', reason: 'no upload in the input' };
  }
  logger.appendKeys({ s3Key: key });
  const imageId = imageIdFor(key);
  const error = errorRecordOf(end.status, end.error ?? described?.error, end.cause ?? described?.cause);
  const marked = await deps.items().failIfProcessing(imageId, end.executionArn, error, now);
  if (!marked) {
    logger.info('The item is not PROCESSING for this execution: nothing to reconcile', { status: end.status });
    return { executionArn: end.executionArn, outcome: 'unchanged', imageId };
  }
  // Counted only by the write that changed the item: a redelivered event finds it FAILED and counts nothing.
  countOutcome('FAILED');
  count(METRIC.reconciled);
  logger.warn('Marked an item its execution left PROCESSING as FAILED', { status: end.status, error });
  const notified = await notifyFailure(key, imageId, error, deps);
  return { executionArn: end.executionArn, outcome: 'failed', imageId, error, notified };
}

/**
 * The execution ended before NotifyResult, so the one message of this outcome is sent here, by the write that changed
 * the item (a redelivered event changes nothing and sends nothing). A publish that fails after the SDK's retries is
 * logged and counted, never thrown: the item already says FAILED, and a retried invocation would find nothing to do.
 */
async function notifyFailure(key: string, imageId: string, error: ErrorRecord, deps: ReconcileDeps): Promise<boolean> {
  const parsed = tryParseUploadKey(key);
  if (!parsed) return false;
  const { userId, albumId, fileName } = parsed;
  const upload = { userId, albumId, fileName, imageId };
  try {
    await deps.notifications().publish(notificationFor({ upload, status: 'FAILED', error }));
    return true;
  } catch (failure) {
    count(METRIC.notificationFailed);
    logger.error('Could not publish the outcome of a reconciled execution', { error: failure });
    return false;
  }
}

/** The item's error: the status's class name, the execution's own error and cause in the message. */
export function errorRecordOf(
  status: UnrecordedEnd,
  error: string | null | undefined,
  cause: string | null | undefined,
): ErrorRecord {
  const why = [error, failureMessage(cause ?? undefined)].filter(Boolean).join(': ');
  const failure = new ERROR_OF[status](
    `The execution ${WORDS[status]} before recording the outcome${why ? ` (${why})` : ''}`,
  );
  return { name: failure.name, message: failureMessage(failure.message) };
}

/** Reads the event; InvalidEvent when it is not a status change of an execution ending in UNRECORDED_ENDS. */
export function executionEndOf(event: unknown): ExecutionEnd {
  const detail = (event as { detail?: Record<string, unknown> } | undefined)?.detail;
  const status = detail?.status;
  if (
    !detail ||
    typeof detail.executionArn !== 'string' ||
    typeof detail.stateMachineArn !== 'string' ||
    !UNRECORDED_ENDS.includes(status as UnrecordedEnd)
  ) {
    throw new InvalidEvent(
      'Expected a "Step Functions Execution Status Change" event ending FAILED, TIMED_OUT or ABORTED',
    );
  }
  const included = (detail.inputDetails as { included?: unknown } | undefined)?.included !== false;
  return {
    executionArn: detail.executionArn,
    stateMachineArn: detail.stateMachineArn,
    status: status as UnrecordedEnd,
    ...(included && typeof detail.input === 'string' ? { input: detail.input } : {}),
    ...('error' in detail ? { error: optionalString(detail.error) } : {}),
    ...('cause' in detail ? { cause: optionalString(detail.cause) } : {}),
  };
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The upload key S3Trigger put in the input (`{upload: {key}}`); undefined for an input of another shape. */
function uploadKeyIn(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  try {
    const key = (JSON.parse(input) as { upload?: { key?: unknown } } | null)?.upload?.key;
    return typeof key === 'string' && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}
