import { analysedImage } from '../analysed-image';
import type { Lazy } from '../config';
import { CorruptImage, NotSupportedImageType, UploadTooLarge } from '../errors';
import type { ThumbnailRef, UploadRef } from '../image-item';
import { isSupportedFormat } from '../image-metadata';
import { writeNewest } from '../newest-write';
import type { ObjectStore } from '../object-store';
import { thumbnailKeyFor } from '../upload-key';
import type { StepMetadata } from '../workflow';
import { createThumbnail } from './index';

export type ThumbnailSettings = Lazy<{ maxBytes: number; maxSize: number; maxPixels: number }>;

/**
 * The GenerateThumbnail step: fits the photo in maxSize, oriented, without metadata, under resized/. A converted
 * upload's thumbnail is made from its JPEG rendition and keeps the upload's name, as any other. The source is read at
 * the version the execution was started for, and the thumbnail is written only if no newer upload's thumbnail is
 * there (functions/lib/newest-write.ts: otherwise UploadSuperseded).
 */
export async function writeUploadThumbnail(
  objects: ObjectStore,
  upload: UploadRef,
  metadata: StepMetadata,
  settings: ThumbnailSettings,
): Promise<ThumbnailRef> {
  const source = analysedImage(upload, metadata);
  if (!isSupportedFormat(source.format)) throw new NotSupportedImageType(source.format);
  if (!source.width || !source.height) throw new CorruptImage(`No dimensions known for ${source.key}`);
  // The whole object is read into memory: a huge file with modest dimensions must not exhaust the function.
  const maxBytes = settings.maxBytes();
  if (source.sizeBytes > maxBytes) throw new UploadTooLarge(source.key, source.sizeBytes, maxBytes);
  const bytes = await objects.read(source);
  const thumbnail = await createThumbnail(
    {
      bytes,
      format: source.format,
      width: source.width,
      height: source.height,
      ...(source.orientation ? { orientation: source.orientation } : {}),
    },
    { maxSize: settings.maxSize(), maxPixels: settings.maxPixels() },
  );
  const key = thumbnailKeyFor(upload);
  const written = await writeNewest(objects, { bucket: upload.bucket, key }, upload, {
    body: thumbnail.body,
    contentType: thumbnail.contentType,
  });
  return {
    key,
    width: thumbnail.width,
    height: thumbnail.height,
    format: thumbnail.format,
    sizeBytes: thumbnail.body.byteLength,
    ...(written.versionId ? { versionId: written.versionId } : {}),
  };
}
