import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type DetectFacesResponse,
  type DetectLabelsResponse,
  type DetectModerationLabelsResponse,
  type Label,
  type RekognitionClient,
  type BoundingBox as RekognitionBox,
} from '@aws-sdk/client-rekognition';
import type { BoundingBox, FaceDetail, ModerationLabel, StoredLabel } from '../image-item';
import type { ObjectRef } from '../object-store';
import { ImageRefused, type ImageRecognition, type LabelLimits } from '../recognition';
import { rekognitionClient } from './rekognition-client';
import { callAws } from './transient';

/** Rekognition errors that mean "this image will never be analysed": recorded on the item, not retried. */
export const REFUSAL_ERROR_NAMES = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidParameterException',
]);

/** The face attributes the item keeps beside Rekognition's default ones (bounding box, confidence). */
export const FACE_ATTRIBUTES = ['AGE_RANGE', 'EMOTIONS', 'SMILE', 'EYES_OPEN'] as const;

/** ImageRecognition on Rekognition, reading the image straight from S3. */
export class RekognitionImages implements ImageRecognition {
  constructor(private readonly rekognition: RekognitionClient) {}

  async detectLabels(image: ObjectRef, limits: LabelLimits): Promise<StoredLabel[]> {
    const command = new DetectLabelsCommand({
      Image: s3Image(image),
      MaxLabels: limits.maxLabels,
      MinConfidence: limits.minConfidence,
    });
    return toStoredLabels(await this.call('DetectLabels', () => this.rekognition.send(command)));
  }

  async detectFaces(image: ObjectRef): Promise<FaceDetail[]> {
    const command = new DetectFacesCommand({ Image: s3Image(image), Attributes: [...FACE_ATTRIBUTES] });
    return toFaceDetails(await this.call('DetectFaces', () => this.rekognition.send(command)));
  }

  async detectModerationLabels(image: ObjectRef, minConfidence: number): Promise<ModerationLabel[]> {
    const command = new DetectModerationLabelsCommand({ Image: s3Image(image), MinConfidence: minConfidence });
    return toModerationLabels(await this.call('DetectModerationLabels', () => this.rekognition.send(command)));
  }

  /** A transient failure becomes TransientError, a refusal ImageRefused; anything else is rethrown unchanged. */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await callAws(operation, send);
    } catch (error) {
      const { name, message } = error as Error;
      if (REFUSAL_ERROR_NAMES.has(name)) throw new ImageRefused({ name, message });
      throw error;
    }
  }
}

/** The image as Rekognition reads it from S3: at the version the reference names (S3Object.Version), if any. */
const s3Image = ({ bucket, key, versionId }: ObjectRef) => ({
  S3Object: { Bucket: bucket, Name: key, ...(versionId ? { Version: versionId } : {}) },
});

/** Keeps what the item needs from a DetectLabels answer: name, confidence, parents, categories, instance boxes. */
export function toStoredLabels(response: DetectLabelsResponse): StoredLabel[] {
  return (response.Labels ?? []).filter((label): label is Label & { Name: string } => !!label.Name).map(toStoredLabel);
}

function toStoredLabel(label: Label & { Name: string }): StoredLabel {
  const instances = (label.Instances ?? [])
    .filter((instance) => instance.BoundingBox)
    .map((instance) => ({ boundingBox: toBox(instance.BoundingBox), confidence: round(instance.Confidence ?? 0, 2) }));
  const categories = (label.Categories ?? []).flatMap((category) => (category.Name ? [category.Name] : []));
  return {
    name: label.Name,
    confidence: round(label.Confidence ?? 0, 2),
    parents: (label.Parents ?? []).flatMap((parent) => (parent.Name ? [parent.Name] : [])),
    ...(categories.length > 0 ? { categories } : {}),
    ...(instances.length > 0 ? { instances } : {}),
  };
}

/** Keeps box, confidence, age range, the most confident emotion, smile and eyes open of each face with a box. */
export function toFaceDetails(response: DetectFacesResponse): FaceDetail[] {
  return (response.FaceDetails ?? [])
    .filter((face) => face.BoundingBox)
    .map((face) => {
      const [emotion] = [...(face.Emotions ?? [])]
        .filter((candidate) => candidate.Type && candidate.Confidence !== undefined)
        .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0));
      const { AgeRange: age, Smile: smile, EyesOpen: eyes } = face;
      return {
        boundingBox: toBox(face.BoundingBox),
        confidence: round(face.Confidence ?? 0, 2),
        ...(age?.Low !== undefined && age.High !== undefined ? { ageRange: { low: age.Low, high: age.High } } : {}),
        ...(emotion ? { emotion: { type: String(emotion.Type), confidence: round(emotion.Confidence ?? 0, 2) } } : {}),
        ...(smile?.Value !== undefined
          ? { smile: { value: smile.Value, confidence: round(smile.Confidence ?? 0, 2) } }
          : {}),
        ...(eyes?.Value !== undefined
          ? { eyesOpen: { value: eyes.Value, confidence: round(eyes.Confidence ?? 0, 2) } }
          : {}),
      };
    });
}

/** Name, parent ('' at the top of the taxonomy) and confidence of each moderation label. */
export function toModerationLabels(response: DetectModerationLabelsResponse): ModerationLabel[] {
  return (response.ModerationLabels ?? [])
    .filter((label) => label.Name)
    .map((label) => ({
      name: String(label.Name),
      parentName: label.ParentName ?? '',
      confidence: round(label.Confidence ?? 0, 2),
    }));
}

function toBox(box: RekognitionBox | undefined): BoundingBox {
  return {
    width: round(box?.Width ?? 0, 4),
    height: round(box?.Height ?? 0, 4),
    left: round(box?.Left ?? 0, 4),
    top: round(box?.Top ?? 0, 4),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

let recognition: ImageRecognition | undefined;

/** The ImageRecognition of this container, created on first use. */
export function rekognitionImages(): ImageRecognition {
  recognition ??= new RekognitionImages(rekognitionClient());
  return recognition;
}
