import type { AnalysedImage } from './analysed-image';
import type { Lazy } from './config';
import type { FaceDetail, FacesRecord } from './image-item';
import { unlessRefused, type ImageRecognition, type Refused } from './recognition';

/** Faces kept in detail on the item, the largest first; `count` still counts every face Rekognition found. */
export const MAX_FACE_DETAILS = 20;

export type FaceSettings = Lazy<{ enabled: boolean }>;

/** What the DetectFaces step answers: the faces, why Rekognition refused, or that DETECT_FACES is off. */
export type FacesOutcome = { faces: FacesRecord } | Refused | { skipped: 'disabled' };

/** The DetectFaces step: how many faces, and the details of the largest MAX_FACE_DETAILS. */
export async function detectFaces(
  recognition: () => ImageRecognition,
  image: AnalysedImage,
  settings: FaceSettings,
): Promise<FacesOutcome> {
  if (!settings.enabled()) return { skipped: 'disabled' };
  return unlessRefused(image, 'DetectFaces', async () => ({
    faces: facesRecord(await recognition().detectFaces(image)),
  }));
}

export function facesRecord(found: readonly FaceDetail[]): FacesRecord {
  const area = ({ boundingBox }: FaceDetail) => boundingBox.width * boundingBox.height;
  const details = [...found].sort((a, b) => area(b) - area(a)).slice(0, MAX_FACE_DETAILS);
  return { count: found.length, detected: found.length > 0, details };
}
