import { imageStore } from './lib/aws/image-store-instance';
import type { ThumbnailRef } from './lib/image-item';
import { isObject, requireField, type CompleteProcessingInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** CompleteProcessing: the item says SUCCEEDED and where its thumbnail is. */
export const handler = stepHandler('CompleteProcessing', async (input: CompleteProcessingInput) => {
  const thumbnail = requireField<ThumbnailRef>(input, 'thumbnail', isObject);
  await imageStore().finish(input.upload, 'SUCCEEDED', { thumbnail }, new Date());
  return { status: 'SUCCEEDED' as const };
});
