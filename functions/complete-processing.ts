import { imageStore } from './lib/aws/image-store-instance';
import type { ThumbnailRef } from './lib/image-item';
import { isObject, requireField, type CompleteProcessingInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** CompleteProcessing: the item says SUCCEEDED, where its thumbnail is and, for a converted format, its rendition. */
export const handler = stepHandler('CompleteProcessing', async (input: CompleteProcessingInput) => {
  const thumbnail = requireField<ThumbnailRef>(input, 'thumbnail', isObject);
  const rendition = input.metadata?.rendition;
  await imageStore().finish(input.upload, 'SUCCEEDED', { thumbnail, ...(rendition ? { rendition } : {}) }, new Date());
  return { status: 'SUCCEEDED' as const };
});
