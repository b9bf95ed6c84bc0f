import { coverOf } from './lib/albums';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { imageStore } from './lib/aws/image-store-instance';
import type { ThumbnailRef } from './lib/image-item';
import { isObject, requireField, type CompleteProcessingInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/**
 * CompleteProcessing: the item says SUCCEEDED and where its thumbnail is; a photo in an album is offered as the
 * album's cover, which it becomes unless the album shows a newer photo.
 */
export const handler = stepHandler('CompleteProcessing', async (input: CompleteProcessingInput) => {
  const thumbnail = requireField<ThumbnailRef>(input, 'thumbnail', isObject);
  const { upload } = input;
  await imageStore().finish(upload, 'SUCCEEDED', { thumbnail }, new Date());
  if (upload.albumId !== undefined) {
    const cover = coverOf(upload.imageId, thumbnail.key, upload.eventTime);
    await albumStore().offerCover(upload.userId, upload.albumId, cover);
  }
  return { status: 'SUCCEEDED' as const };
});
