import {
  DetectFacesCommand,
  DetectLabelsCommand,
  type DetectLabelsResponse,
  type Label,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { StoredLabel } from '../image-item';
import type { ObjectRef } from '../object-store';
import { ImageRefused, type ImageRecognition, type LabelLimits } from '../recognition';
import { rekognitionClient } from './rekognition-client';
import { callAws } from './transient';

/** Rekognition errors that mean "this image will never be labelled": recorded on the item, not retried. */
export const REFUSAL_ERROR_NAMES = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidParameterException',
]);

/** ImageRecognition on Rekognition, reading the image straight from S3. */
export class RekognitionLabels implements ImageRecognition {
  constructor(private readonly rekognition: RekognitionClient) {}

  async detectLabels(image: ObjectRef, limits: LabelLimits): Promise<StoredLabel[]> {
    try {
      const response = await callAws('DetectLabels', () =>
        this.rekognition.send(
          new DetectLabelsCommand({
            Image: s3Image(image),
            MaxLabels: limits.maxLabels,
            MinConfidence: limits.minConfidence,
          }),
        ),
      );
      return toStoredLabels(response);
    } catch (error) {
      const { name, message } = error as Error;
      if (REFUSAL_ERROR_NAMES.has(name)) throw new ImageRefused({ name, message });
      throw error;
    }
  }

  async countFaces(image: ObjectRef): Promise<number> {
    const response = await callAws('DetectFaces', () =>
      this.rekognition.send(new DetectFacesCommand({ Image: s3Image(image) })),
    );
    return response?.FaceDetails?.length ?? 0;
  }
}

const s3Image = ({ bucket, key }: ObjectRef) => ({ S3Object: { Bucket: bucket, Name: key } });

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

let recognition: ImageRecognition | undefined;

/** The ImageRecognition of this container. */
export function rekognitionLabels(): ImageRecognition {
  recognition ??= new RekognitionLabels(rekognitionClient());
  return recognition;
}
