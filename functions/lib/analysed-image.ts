import { InvalidEvent } from './errors';
import type { UploadRef } from './image-item';
import type { ImageFormat } from './image-metadata';
import type { ObjectRef } from './object-store';
import { convertedKeyFor } from './upload-key';
import type { StepMetadata } from './workflow';

/**
 * The picture recognition and the thumbnail read: the upload itself at its event's version, or, for a format
 * Rekognition cannot read, the JPEG rendition at the version ConvertImage wrote (already upright: it has no orientation
 * to apply).
 */
export interface AnalysedImage extends ObjectRef {
  format: ImageFormat;
  sizeBytes: number;
  width?: number;
  height?: number;
  orientation?: number;
}

export function analysedImage(upload: UploadRef, metadata: StepMetadata): AnalysedImage {
  const { rendition } = metadata;
  if (!rendition) {
    const { format, sizeBytes, width, height, orientation } = metadata;
    const version = upload.versionId ? { versionId: upload.versionId } : {};
    return { bucket: upload.bucket, key: upload.key, ...version, format, sizeBytes, width, height, orientation };
  }
  // The rendition's key comes through the state machine: only the one the key grammar gives this upload is read.
  const expected = convertedKeyFor(upload);
  if (rendition.key !== expected) {
    throw new InvalidEvent(`The rendition of ${upload.key} is ${expected}, not ${rendition.key}`);
  }
  const { format, sizeBytes, width, height, versionId } = rendition;
  const version = versionId ? { versionId } : {};
  return { bucket: upload.bucket, key: rendition.key, ...version, format, sizeBytes, width, height };
}
