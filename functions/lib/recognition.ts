import type { AnalysedImage } from './analysed-image';
import type { ErrorRecord, FaceDetail, ModerationLabel, StoredLabel } from './image-item';
import { logger } from './logger';
import type { ObjectRef } from './object-store';

/**
 * What the recognition steps need from an image recognition service. The core speaks these types; an adapter
 * (functions/lib/aws/rekognition-images.ts) implements them on Rekognition. Each call throws ImageRefused when the
 * service will never analyse this image, TransientError when trying again may do.
 */
export interface ImageRecognition {
  detectLabels(image: ObjectRef, limits: LabelLimits): Promise<StoredLabel[]>;
  /** Every face found, with bounding box, confidence, age range, emotions, smile and eyes open when given. */
  detectFaces(image: ObjectRef): Promise<FaceDetail[]>;
  /** The moderation labels at or above `minConfidence` (0..100). */
  detectModerationLabels(image: ObjectRef, minConfidence: number): Promise<ModerationLabel[]>;
}

export interface LabelLimits {
  maxLabels: number;
  /** 0..100. */
  minConfidence: number;
}

/**
 * The service refuses this image for good (its format, its size): an outcome recorded on the item under the
 * service's own error name, never retried. It never leaves the step, so it is not one of errors.ts's workflow errors.
 */
export class ImageRefused extends Error {
  override readonly name = 'ImageRefused';
  constructor(readonly refusal: ErrorRecord) {
    super(refusal.message);
  }
}

/** Rekognition's documented limits for an image read from S3. */
export const REKOGNITION_MAX_BYTES = 15 * 1024 * 1024;
export const REKOGNITION_MAX_SIDE = 10_000;

/** A recognition step's answer when the service refuses the image: recorded on the item, not an error. */
export interface Refused {
  refused: ErrorRecord;
}

/**
 * Runs one recognition call, answering a refusal (up front for what is too large, or the service's own) as an outcome,
 * so a refused image costs neither the thumbnail nor the other recognition steps. Any other error is thrown: the
 * state machine retries a TransientError and records the rest (the Catch of the step's branch).
 */
export async function unlessRefused<T>(
  image: AnalysedImage,
  step: string,
  call: () => Promise<T>,
): Promise<T | Refused> {
  const early = refusalBeforeCall(image);
  if (early) return { refused: early };
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    logger.warn('Rekognition refused the image', { errorName: error.refusal.name, step });
    return { refused: error.refusal };
  }
}

/** Refuses up front what Rekognition would refuse, saving a call that cannot succeed. */
export function refusalBeforeCall(
  image: Pick<AnalysedImage, 'sizeBytes' | 'width' | 'height'>,
): ErrorRecord | undefined {
  if (image.sizeBytes > REKOGNITION_MAX_BYTES) {
    return {
      name: 'ImageTooLargeException',
      message: `Image is ${image.sizeBytes} bytes; Rekognition accepts at most 15 MB from S3`,
    };
  }
  const longest = Math.max(image.width ?? 0, image.height ?? 0);
  if (longest > REKOGNITION_MAX_SIDE) {
    return {
      name: 'ImageTooLargeException',
      message: `Image is ${longest} px on a side; Rekognition accepts at most 10,000`,
    };
  }
  return undefined;
}
