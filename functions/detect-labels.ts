import { DetectLabelsCommand } from '@aws-sdk/client-rekognition';
import { rekognitionClient } from './lib/aws/rekognition-client';
import { labelsMaxCount, labelsMinConfidence } from './lib/config';
import type { LabelsOutcome } from './lib/image-store';
import { REFUSAL_ERROR_NAMES, refusalBeforeCall, toStoredLabels } from './lib/labels';
import { logger } from './lib/logger';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { callAws } from './lib/transient';

/**
 * DetectLabels: Rekognition on the S3 object. A refusal (too large, invalid format) is an outcome recorded on the
 * item, not an error, so the thumbnail branch running beside it is unaffected.
 */
export const handler = stepHandler('DetectLabels', async (input: MetadataStepInput): Promise<LabelsOutcome> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  const early = refusalBeforeCall(metadata);
  if (early) return { refused: early };
  try {
    const response = await callAws('DetectLabels', () =>
      rekognitionClient().send(
        new DetectLabelsCommand({
          Image: { S3Object: { Bucket: input.upload.bucket, Name: input.upload.key } },
          MaxLabels: labelsMaxCount(),
          MinConfidence: labelsMinConfidence(),
        }),
      ),
    );
    return { labels: toStoredLabels(response) };
  } catch (error) {
    const { name, message } = error as Error;
    if (!REFUSAL_ERROR_NAMES.has(name)) throw error;
    logger.warn('Rekognition refused the image', { errorName: name });
    return { refused: { name, message } };
  }
});
