import { s3Client } from './lib/aws/s3-client';
import { thumbnailMaxBytes, thumbnailMaxPixels } from './lib/config';
import { convertToJpeg, isConvertibleFormat } from './lib/convert';
import { NotSupportedImageType, UploadTooLarge } from './lib/errors';
import type { RenditionRef } from './lib/image-item';
import { readObject, writeObject } from './lib/s3-objects';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { convertedKeyFor } from './lib/upload-key';

/** ConvertImage: a HEIC/HEIF, AVIF or WebP upload as an oriented JPEG under converted/, for Rekognition and thumbnails. */
export const handler = stepHandler('ConvertImage', async (input: MetadataStepInput): Promise<RenditionRef> => {
  const { upload } = input;
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  if (!isConvertibleFormat(metadata.format)) throw new NotSupportedImageType(metadata.format);
  // The whole object is read into memory, as GenerateThumbnail does, under the same byte and pixel limits.
  const maxBytes = thumbnailMaxBytes();
  if (metadata.sizeBytes > maxBytes) throw new UploadTooLarge(upload.key, metadata.sizeBytes, maxBytes);
  const s3 = s3Client();
  const original = await readObject(s3, upload.bucket, upload.key);
  const rendition = await convertToJpeg(original, metadata.format, { maxPixels: thumbnailMaxPixels() });
  const key = convertedKeyFor(upload);
  await writeObject(s3, upload.bucket, key, rendition.body, rendition.contentType);
  return {
    key,
    sizeBytes: rendition.body.byteLength,
    format: rendition.format,
    width: rendition.width,
    height: rendition.height,
  };
});
