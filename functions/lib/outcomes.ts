import { failureRecord, unsupportedRecord } from './failure';
import type { ImageStore } from './image-store';
import { countOutcome } from './metrics';
import { notificationFor, type FinalStatus, type Notification } from './notification';
import { resultFields } from './processing-result';
import type { CompleteProcessingInput, MetadataStepInput, RecordFailureInput } from './step-events';

/**
 * The three steps that end an upload (CompleteProcessing, RecordUnsupported, RecordFailure): each writes the item's
 * final status in one conditional write and answers the outcome with the notification NotifyResult publishes. A write
 * refused because a newer upload owns the item throws UploadSuperseded, and then nothing is published.
 */
export interface RecordedOutcome {
  status: FinalStatus;
  notification: Notification;
}

/** SUCCEEDED with everything ProcessImage found, the thumbnail and, for a converted upload, its rendition. */
export async function recordSucceeded(
  store: ImageStore,
  { upload, metadata, processed }: Pick<CompleteProcessingInput, 'upload' | 'metadata' | 'processed'>,
  now: Date,
): Promise<RecordedOutcome> {
  const results = resultFields(processed);
  const rendition = metadata?.rendition;
  await store.finish(upload, 'SUCCEEDED', { ...results, ...(rendition ? { rendition } : {}) }, now);
  countOutcome('SUCCEEDED');
  return { status: 'SUCCEEDED', notification: notificationFor({ upload, status: 'SUCCEEDED', results }) };
}

/** UNSUPPORTED with the metadata that was read and why (the format, or ConvertImage's refusal). */
export async function recordUnsupported(
  store: ImageStore,
  { upload, metadata }: Pick<MetadataStepInput, 'upload'> & { metadata?: MetadataStepInput['metadata'] },
  now: Date,
): Promise<RecordedOutcome & { format: string }> {
  const error = unsupportedRecord(metadata);
  await store.finish(upload, 'UNSUPPORTED', { ...(metadata ? { metadata } : {}), error }, now);
  countOutcome('UNSUPPORTED');
  const notification = notificationFor({ upload, status: 'UNSUPPORTED', error });
  return { status: 'UNSUPPORTED', format: metadata?.format ?? 'UNKNOWN', notification };
}

/** FAILED with the error, its cause and the state that failed. */
export async function recordFailure(
  store: ImageStore,
  { upload, failure }: Pick<RecordFailureInput, 'upload' | 'failure'>,
  now: Date,
): Promise<RecordedOutcome & { error: ReturnType<typeof failureRecord> }> {
  const error = failureRecord(failure);
  await store.finish(upload, 'FAILED', { error }, now);
  countOutcome('FAILED');
  return { status: 'FAILED', error, notification: notificationFor({ upload, status: 'FAILED', error }) };
}
