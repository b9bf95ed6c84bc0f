import type { Lazy } from '../config';
import { NotSupportedImageType, UploadTooLarge } from '../errors';
import type { RenditionRef, UploadRef } from '../image-item';
import type { ImageMetadata } from '../image-metadata';
import type { ObjectStore } from '../object-store';
import { convertedKeyFor } from '../upload-key';
import { convertToJpeg, isConvertibleFormat } from './index';

export type RenditionSettings = Lazy<{ maxBytes: number; maxPixels: number }>;

/** The ConvertImage step: a HEIC/HEIF, AVIF or WebP upload as an upright JPEG under converted/. */
export async function writeUploadRendition(
  objects: ObjectStore,
  upload: UploadRef,
  metadata: ImageMetadata,
  settings: RenditionSettings,
): Promise<RenditionRef> {
  if (!isConvertibleFormat(metadata.format)) throw new NotSupportedImageType(metadata.format);
  // The whole object is read into memory, as GenerateThumbnail does, under the same byte and pixel limits.
  const maxBytes = settings.maxBytes();
  if (metadata.sizeBytes > maxBytes) throw new UploadTooLarge(upload.key, metadata.sizeBytes, maxBytes);
  const original = await objects.read(upload);
  const rendition = await convertToJpeg(original, metadata.format, { maxPixels: settings.maxPixels() });
  const key = convertedKeyFor(upload);
  await objects.write({ bucket: upload.bucket, key }, rendition.body, rendition.contentType);
  return {
    key,
    sizeBytes: rendition.body.byteLength,
    format: rendition.format,
    width: rendition.width,
    height: rendition.height,
  };
}
