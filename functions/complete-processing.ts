import { imageStore } from './lib/aws/image-store-instance';
import { recordSucceeded, type RecordedOutcome } from './lib/outcomes';
import { isObject, requireField, requireProcessed, type CompleteProcessingInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/**
 * CompleteProcessing: in one conditional write, the item says SUCCEEDED with its labels, faces, moderation, thumbnail
 * and (for a converted format) rendition; answers the notification NotifyResult publishes.
 */
export const handler = stepHandler(
  'CompleteProcessing',
  async (input: CompleteProcessingInput): Promise<RecordedOutcome> => {
    const processed = requireProcessed(input);
    const metadata = requireField<CompleteProcessingInput['metadata']>(input, 'metadata', isObject);
    return recordSucceeded(imageStore(), { upload: input.upload, metadata, processed }, new Date());
  },
);
