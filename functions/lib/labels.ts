import type { DetectLabelsResponse, Label } from '@aws-sdk/client-rekognition';
import type { ErrorRecord, StoredLabel } from './image-item';
import type { ImageMetadata } from './image-metadata';

/** Rekognition's documented limits for an image read from S3. */
export const REKOGNITION_MAX_BYTES = 15 * 1024 * 1024;
export const REKOGNITION_MAX_SIDE = 10_000;

/** Rekognition errors that mean "this image will never be labelled": recorded on the item, not retried. */
export const REFUSAL_ERROR_NAMES = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidParameterException',
]);

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

/** Keeps what the item needs from a DetectLabels answer: name, confidence, parents, categories, instance boxes. */
export function toStoredLabels(response: DetectLabelsResponse): StoredLabel[] {
  return (response.Labels ?? []).filter((label): label is Label & { Name: string } => !!label.Name).map(toStoredLabel);
}

function toStoredLabel(label: Label & { Name: string }): StoredLabel {
  const instances = (label.Instances ?? [])
    .filter((instance) => instance.BoundingBox)
    .map((instance) => ({
      boundingBox: {
        width: round(instance.BoundingBox?.Width ?? 0, 4),
        height: round(instance.BoundingBox?.Height ?? 0, 4),
        left: round(instance.BoundingBox?.Left ?? 0, 4),
        top: round(instance.BoundingBox?.Top ?? 0, 4),
      },
      confidence: round(instance.Confidence ?? 0, 2),
    }));
  const categories = (label.Categories ?? []).flatMap((category) => (category.Name ? [category.Name] : []));
  return {
    name: label.Name,
    confidence: round(label.Confidence ?? 0, 2),
    parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])),
    ...(categories.length > 0 ? { categories } : {}),
    ...(instances.length > 0 ? { instances } : {}),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
