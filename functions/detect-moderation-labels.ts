import { analysedImage } from './lib/analysed-image';
import { rekognitionImages } from './lib/aws/rekognition-images';
import { detectModerationEnabled, moderationMinConfidence } from './lib/config';
import { detectModeration, type ModerationOutcome, type ModerationSettings } from './lib/moderation';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

const settings: ModerationSettings = { enabled: detectModerationEnabled, minConfidence: moderationMinConfidence };

/**
 * DetectModerationLabels: Rekognition's moderation labels of the upload (or its JPEG rendition) at or above
 * MODERATION_MIN_CONFIDENCE, and whether they flag it. With DETECT_MODERATION false it answers `skipped`.
 */
export const handler = stepHandler(
  'DetectModerationLabels',
  async (input: MetadataStepInput): Promise<ModerationOutcome> => {
    const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
    return detectModeration(rekognitionImages, analysedImage(input.upload, metadata), settings);
  },
);
