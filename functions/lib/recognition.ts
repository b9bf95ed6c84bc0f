import type { ErrorRecord, StoredLabel } from './image-item';
import type { ObjectRef } from './object-store';

/**
 * What the labels step needs from an image recognition service. The core speaks these types; an adapter
 * (functions/lib/aws/rekognition-labels.ts) implements them on Rekognition.
 */
export interface ImageRecognition {
  /** Throws ImageRefused when the service will never label this image, TransientError when trying again may do. */
  detectLabels(image: ObjectRef, limits: LabelLimits): Promise<StoredLabel[]>;
  countFaces(image: ObjectRef): Promise<number>;
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
