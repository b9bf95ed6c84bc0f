import type { ImageMetadata } from './image-metadata';
import type { ErrorRecord, ImageStatus, RenditionRef, StoredLabel, ThumbnailRef, UploadRef } from './image-item';

/**
 * What the workflow needs from storage. Every write names the upload (key + sequencer) it belongs to and is
 * refused with UploadSuperseded when a newer upload of the same key owns the item, so an older execution can
 * never overwrite a newer photo's item.
 */
export interface ImageStore {
  /** Records a new upload as PROCESSING. Answers what happened instead of throwing for duplicates and stale events. */
  startProcessing(upload: UploadRef, executionArn: string, now: Date): Promise<StartOutcome>;
  saveMetadata(upload: UploadRef, metadata: ImageMetadata, now: Date): Promise<void>;
  saveLabels(upload: UploadRef, result: LabelsOutcome, now: Date): Promise<void>;
  finish(
    upload: UploadRef,
    status: Exclude<ImageStatus, 'PROCESSING'>,
    details: FinishDetails,
    now: Date,
  ): Promise<void>;
}

export type StartOutcome = 'started' | 'duplicate' | 'stale';

export type LabelsOutcome = { labels: StoredLabel[]; faceCount?: number } | { refused: ErrorRecord };

export interface FinishDetails {
  thumbnail?: ThumbnailRef;
  rendition?: RenditionRef;
  error?: ErrorRecord;
  metadata?: ImageMetadata;
}
