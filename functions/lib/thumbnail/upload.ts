import type { Lazy } from '../config';
import { CorruptImage, NotSupportedImageType, UploadTooLarge } from '../errors';
import type { ThumbnailRef, UploadRef } from '../image-item';
import { isSupportedFormat, type ImageMetadata } from '../image-metadata';
import type { ObjectStore } from '../object-store';
import { thumbnailKeyFor } from '../upload-key';
import { createThumbnail } from './index';

export type ThumbnailSettings = Lazy<{ maxBytes: number; maxSize: number; maxPixels: number }>;

/** The GenerateThumbnail step: fits the photo in maxSize, oriented, without metadata, under resized/. */
export async function writeUploadThumbnail(
  objects: ObjectStore,
  upload: UploadRef,
  metadata: ImageMetadata,
  settings: ThumbnailSettings,
): Promise<ThumbnailRef> {
  if (!isSupportedFormat(metadata.format)) throw new NotSupportedImageType(metadata.format);
  if (!metadata.width || !metadata.height) throw new CorruptImage(`No dimensions known for ${upload.key}`);
  // The whole object is read into memory: a huge file with modest dimensions must not exhaust the function.
  const maxBytes = settings.maxBytes();
  if (metadata.sizeBytes > maxBytes) throw new UploadTooLarge(upload.key, metadata.sizeBytes, maxBytes);
  const bytes = await objects.read(upload);
  const thumbnail = await createThumbnail(
    {
      bytes,
      format: metadata.format,
      width: metadata.width,
      height: metadata.height,
      ...(metadata.orientation ? { orientation: metadata.orientation } : {}),
    },
    { maxSize: settings.maxSize(), maxPixels: settings.maxPixels() },
  );
  const key = thumbnailKeyFor(upload);
  await objects.write({ bucket: upload.bucket, key }, thumbnail.body, thumbnail.contentType);
  return {
    key,
    width: thumbnail.width,
    height: thumbnail.height,
    format: thumbnail.format,
    sizeBytes: thumbnail.body.byteLength,
  };
}
