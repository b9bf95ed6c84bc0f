import { imageStore } from './lib/aws/image-store-instance';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** StoreImageMetadata: writes format, dimensions, EXIF and GPS on the upload's item. */
export const handler = stepHandler('StoreImageMetadata', async (input: MetadataStepInput) => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  await imageStore().saveMetadata(input.upload, metadata, new Date());
  return { imageId: input.upload.imageId };
});
