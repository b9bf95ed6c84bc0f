import { analysedImage } from './lib/analysed-image';
import { rekognitionImages } from './lib/aws/rekognition-images';
import { detectFacesEnabled } from './lib/config';
import { detectFaces, type FaceSettings, type FacesOutcome } from './lib/faces';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

const settings: FaceSettings = { enabled: detectFacesEnabled };

/**
 * DetectFaces: how many faces Rekognition finds in the upload (or its JPEG rendition) and, for the largest, where,
 * how old, which emotion, smiling, eyes open. With DETECT_FACES false it answers `skipped` without calling Rekognition.
 */
export const handler = stepHandler('DetectFaces', async (input: MetadataStepInput): Promise<FacesOutcome> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  return detectFaces(rekognitionImages, analysedImage(input.upload, metadata), settings);
});
