import { s3Objects } from './lib/aws/s3-objects';
import { thumbnailMaxBytes, thumbnailMaxPixels, thumbnailMaxSize } from './lib/config';
import type { ThumbnailRef } from './lib/image-item';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { writeUploadThumbnail, type ThumbnailSettings } from './lib/thumbnail/upload';

const settings: ThumbnailSettings = {
  maxBytes: thumbnailMaxBytes,
  maxSize: thumbnailMaxSize,
  maxPixels: thumbnailMaxPixels,
};

/** GenerateThumbnail: fits the photo in ThumbnailMaxSize, oriented, without metadata, under resized/. */
export const handler = stepHandler('GenerateThumbnail', async (input: MetadataStepInput): Promise<ThumbnailRef> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  return writeUploadThumbnail(s3Objects(), input.upload, metadata, settings);
});
