import type { Lazy } from './config';
import type { ErrorRecord } from './image-item';
import type { ImageMetadata } from './image-metadata';
import type { LabelsOutcome } from './image-store';
import { logger } from './logger';
import type { ObjectRef } from './object-store';
import { ImageRefused, type ImageRecognition } from './recognition';

/** Rekognition's documented limits for an image read from S3. */
export const REKOGNITION_MAX_BYTES = 15 * 1024 * 1024;
export const REKOGNITION_MAX_SIDE = 10_000;

export type LabelSettings = Lazy<{ maxLabels: number; minConfidence: number; detectFaces: boolean }>;

/**
 * The DetectLabels step: labels (and, when the settings ask for it, how many faces) of the image. A refusal (too
 * large, invalid format) is an outcome recorded on the item, not an error, so the thumbnail branch running beside it
 * is unaffected.
 */
export async function detectLabels(
  recognition: ImageRecognition,
  image: ObjectRef,
  metadata: Pick<ImageMetadata, 'sizeBytes' | 'width' | 'height'>,
  settings: LabelSettings,
): Promise<LabelsOutcome> {
  const early = refusalBeforeCall(metadata);
  if (early) return { refused: early };
  try {
    const [labels, faceCount] = await Promise.all([
      labelsOf(recognition, image, settings),
      facesOf(recognition, image, settings),
    ]);
    return faceCount ? { labels, faceCount } : { labels };
  } catch (error) {
    if (!(error instanceof ImageRefused)) throw error;
    logger.warn('Rekognition refused the image', { errorName: error.refusal.name });
    return { refused: error.refusal };
  }
}

async function labelsOf(recognition: ImageRecognition, image: ObjectRef, settings: LabelSettings) {
  return recognition.detectLabels(image, { maxLabels: settings.maxLabels(), minConfidence: settings.minConfidence() });
}

/** Faces are a detail of the labels step: only a transient failure is worth failing (and retrying) the step for. */
async function facesOf(
  recognition: ImageRecognition,
  image: ObjectRef,
  settings: LabelSettings,
): Promise<number | undefined> {
  if (!settings.detectFaces()) return undefined;
  try {
    return await recognition.countFaces(image);
  } catch (error) {
    if ((error as Error).name === 'TransientError') throw error;
    logger.warn('DetectFaces failed; the item keeps its labels without a face count', {
      errorName: (error as Error).name,
    });
    return undefined;
  }
}

/** Refuses up front what Rekognition would refuse, saving a call that cannot succeed. */
export function refusalBeforeCall(
  metadata: Pick<ImageMetadata, 'sizeBytes' | 'width' | 'height'>,
): ErrorRecord | undefined {
  if (metadata.sizeBytes > REKOGNITION_MAX_BYTES) {
    return {
      name: 'ImageTooLargeException',
      message: `Image is ${metadata.sizeBytes} bytes; Rekognition accepts at most 15 MB from S3`,
    };
  }
  const longest = Math.max(metadata.width ?? 0, metadata.height ?? 0);
  if (longest > REKOGNITION_MAX_SIDE) {
    return {
      name: 'ImageTooLargeException',
      message: `Image is ${longest} px on a side; Rekognition accepts at most 10,000`,
    };
  }
  return undefined;
}
