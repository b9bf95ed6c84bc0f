import { analysedImage } from './lib/analysed-image';
import { rekognitionImages } from './lib/aws/rekognition-images';
import { labelsMaxCount, labelsMinConfidence } from './lib/config';
import { detectLabels, type LabelSettings, type LabelsOutcome } from './lib/labels';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

const settings: LabelSettings = { maxLabels: labelsMaxCount, minConfidence: labelsMinConfidence };

/**
 * DetectLabels: Rekognition labels of the upload, or of its JPEG rendition. A refusal (too large, invalid format) is
 * an outcome recorded on the item, not an error.
 */
export const handler = stepHandler('DetectLabels', async (input: MetadataStepInput): Promise<LabelsOutcome> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  return detectLabels(rekognitionImages, analysedImage(input.upload, metadata), settings);
});
