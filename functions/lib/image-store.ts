import type { ImageItem, ImageStatus, UploadRef } from './image-item';
import type { ImageMetadata } from './image-metadata';

/**
 * What the workflow needs from storage. Every write names the upload (key + sequencer) it belongs to and is
 * refused with UploadSuperseded when a newer upload of the same key owns the item, so an older execution can
 * never overwrite a newer photo's item.
 */
export interface ImageStore {
  /** Records a new upload as PROCESSING. Answers what happened instead of throwing for duplicates and stale events. */
  startProcessing(upload: UploadRef, executionArn: string, now: Date): Promise<StartOutcome>;
  saveMetadata(upload: UploadRef, metadata: ImageMetadata, now: Date): Promise<void>;
  finish(
    upload: UploadRef,
    status: Exclude<ImageStatus, 'PROCESSING'>,
    details: FinishDetails,
    now: Date,
  ): Promise<void>;
}

export type StartOutcome = 'started' | 'duplicate' | 'stale';

/**
 * What a final write sets beside the status: the metadata (RecordUnsupported), the error (RecordUnsupported,
 * RecordFailure), or what processing found (CompleteProcessing). Fields left out are left as they are.
 */
export type FinishDetails = Partial<
  Pick<
    ImageItem,
    | 'labels'
    | 'labelsError'
    | 'faces'
    | 'facesError'
    | 'moderation'
    | 'moderationError'
    | 'thumbnail'
    | 'rendition'
    | 'error'
  >
> & { metadata?: ImageMetadata };
