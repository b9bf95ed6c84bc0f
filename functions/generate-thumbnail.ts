import { s3Client } from './lib/aws/s3-client';
import { thumbnailMaxBytes, thumbnailMaxPixels, thumbnailMaxSize } from './lib/config';
import { CorruptImage, NotSupportedImageType, UploadTooLarge } from './lib/errors';
import type { ThumbnailRef } from './lib/image-item';
import { isSupportedFormat } from './lib/image-metadata';
import { readObject, writeObject } from './lib/s3-objects';
import { isObject, requireField, type MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { createThumbnail } from './lib/thumbnail';
import { thumbnailKeyFor } from './lib/upload-key';

/** GenerateThumbnail: fits the photo in ThumbnailMaxSize, oriented, without metadata, under resized/. */
export const handler = stepHandler('GenerateThumbnail', async (input: MetadataStepInput): Promise<ThumbnailRef> => {
  const { upload } = input;
  const metadata = requireField<MetadataStepInput['metadata']>(input, 'metadata', isObject);
  if (!isSupportedFormat(metadata.format)) throw new NotSupportedImageType(metadata.format);
  if (!metadata.width || !metadata.height) throw new CorruptImage(`No dimensions known for ${upload.key}`);
  // The whole object is read into memory: a huge file with modest dimensions must not exhaust the function.
  const maxBytes = thumbnailMaxBytes();
  if (metadata.sizeBytes > maxBytes) throw new UploadTooLarge(upload.key, metadata.sizeBytes, maxBytes);
  const s3 = s3Client();
  const bytes = await readObject(s3, upload.bucket, upload.key);
  const thumbnail = await createThumbnail(
    {
      bytes,
      format: metadata.format,
      width: metadata.width,
      height: metadata.height,
      ...(metadata.orientation ? { orientation: metadata.orientation } : {}),
    },
    { maxSize: thumbnailMaxSize(), maxPixels: thumbnailMaxPixels() },
  );
  const key = thumbnailKeyFor(upload);
  await writeObject(s3, upload.bucket, key, thumbnail.body, thumbnail.contentType);
  return {
    key,
    width: thumbnail.width,
    height: thumbnail.height,
    format: thumbnail.format,
    sizeBytes: thumbnail.body.byteLength,
  };
});
