import { DetectFacesCommand, DetectLabelsCommand } from '@aws-sdk/client-rekognition';
import { rekognitionClient } from './lib/aws/rekognition-client';
import { detectFacesEnabled, labelsMaxCount, labelsMinConfidence } from './lib/config';
import type { UploadRef } from './lib/image-item';
import type { LabelsOutcome } from './lib/image-store';
import { REFUSAL_ERROR_NAMES, refusalBeforeCall, toStoredLabels } from './lib/labels';
import { logger } from './lib/logger';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { callAws, isTransientAwsError } from './lib/transient';

/**
 * DetectLabels: Rekognition labels (and, unless DETECT_FACES is false, how many faces) for the S3 object. A refusal
 * (too large, invalid format) is an outcome recorded on the item, not an error, so the thumbnail branch running
 * beside it is unaffected.
 */
export const handler = stepHandler('DetectLabels', async (input: MetadataStepInput): Promise<LabelsOutcome> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  const early = refusalBeforeCall(metadata);
  if (early) return { refused: early };
  try {
    const [labels, faceCount] = await Promise.all([detectLabels(input.upload), countFaces(input.upload)]);
    return faceCount ? { labels, faceCount } : { labels };
  } catch (error) {
    const { name, message } = error as Error;
    if (!REFUSAL_ERROR_NAMES.has(name)) throw error;
    logger.warn('Rekognition refused the image', { errorName: name });
    return { refused: { name, message } };
  }
});

async function detectLabels(upload: UploadRef) {
  const response = await callAws('DetectLabels', () =>
    rekognitionClient().send(
      new DetectLabelsCommand({
        Image: { S3Object: { Bucket: upload.bucket, Name: upload.key } },
        MaxLabels: labelsMaxCount(),
        MinConfidence: labelsMinConfidence(),
      }),
    ),
  );
  return toStoredLabels(response);
}

/** Faces are a detail of the labels step: only a transient failure is worth failing (and retrying) the step for. */
async function countFaces(upload: UploadRef): Promise<number | undefined> {
  if (!detectFacesEnabled()) return undefined;
  try {
    const response = await callAws('DetectFaces', () =>
      rekognitionClient().send(
        new DetectFacesCommand({ Image: { S3Object: { Bucket: upload.bucket, Name: upload.key } } }),
      ),
    );
    return response?.FaceDetails?.length ?? 0;
  } catch (error) {
    if (isTransientAwsError((error as Error).cause) || (error as Error).name === 'TransientError') throw error;
    logger.warn('DetectFaces failed; the item keeps its labels without a face count', {
      errorName: (error as Error).name,
    });
    return undefined;
  }
}
