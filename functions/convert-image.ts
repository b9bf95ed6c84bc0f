import { s3Objects } from './lib/aws/s3-objects';
import { thumbnailMaxBytes, thumbnailMaxPixels } from './lib/config';
import { writeUploadRendition, type RenditionSettings } from './lib/convert/upload';
import type { RenditionRef } from './lib/image-item';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

const settings: RenditionSettings = { maxBytes: thumbnailMaxBytes, maxPixels: thumbnailMaxPixels };

/** ConvertImage: a HEIC/HEIF, AVIF or WebP upload as an oriented JPEG under converted/, for Rekognition and thumbnails. */
export const handler = stepHandler('ConvertImage', async (input: MetadataStepInput): Promise<RenditionRef> => {
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  return writeUploadRendition(s3Objects(), input.upload, metadata, settings);
});
