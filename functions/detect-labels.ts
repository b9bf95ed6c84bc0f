import { rekognitionLabels } from './lib/aws/rekognition-labels';
import { detectFacesEnabled, labelsMaxCount, labelsMinConfidence } from './lib/config';
import type { LabelsOutcome } from './lib/image-store';
import { detectLabels, type LabelSettings } from './lib/labels';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

const settings: LabelSettings = {
  maxLabels: labelsMaxCount,
  minConfidence: labelsMinConfidence,
  detectFaces: detectFacesEnabled,
};

/**
 * DetectLabels: Rekognition labels (and, unless DETECT_FACES is false, how many faces) for the S3 object. A refusal
 * (too large, invalid format) is an outcome recorded on the item, not an error.
 */
export const handler = stepHandler('DetectLabels', async (input: MetadataStepInput): Promise<LabelsOutcome> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  return detectLabels(rekognitionLabels(), input.upload, metadata, settings);
});
