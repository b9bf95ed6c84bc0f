import { coverOf } from './lib/albums';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { imageStore } from './lib/aws/image-store-instance';
import { s3Objects } from './lib/aws/s3-objects';
import { recordSucceeded, type RecordedOutcome } from './lib/outcomes';
import { isObject, requireField, requireProcessed, type CompleteProcessingInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { recordOrDiscard } from './lib/superseded-objects';

/**
 * CompleteProcessing: in one conditional write, the item says SUCCEEDED with its labels, faces, moderation, thumbnail
 * and (for a converted format) rendition; a photo in an album is offered as the album's cover, which it becomes unless
 * the album shows a newer photo; answers the notification NotifyResult publishes. An item a delete or a newer upload
 * took over meanwhile loses nothing to this execution: its thumbnail and rendition versions are removed.
 */
export const handler = stepHandler(
  'CompleteProcessing',
  async (input: CompleteProcessingInput): Promise<RecordedOutcome> => {
    const processed = requireProcessed(input);
    const metadata = requireField<CompleteProcessingInput['metadata']>(input, 'metadata', isObject);
    const { upload } = input;
    const written = [processed.thumbnail, ...(metadata.rendition ? [metadata.rendition] : [])];
    const record = () => recordSucceeded(imageStore(), { upload, metadata, processed }, new Date());
    const outcome = await recordOrDiscard(record, s3Objects(), upload, written);
    if (upload.albumId !== undefined) {
      const cover = coverOf(upload.imageId, processed.thumbnail.key, upload.eventTime);
      await albumStore().offerCover(upload.userId, upload.albumId, cover);
    }
    return outcome;
  },
);
