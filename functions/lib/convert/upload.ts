import type { Lazy } from '../config';
import { NotSupportedImageType, UploadTooLarge } from '../errors';
import type { RenditionRef, UploadRef } from '../image-item';
import type { ImageMetadata } from '../image-metadata';
import { writeNewest } from '../newest-write';
import type { ObjectStore } from '../object-store';
import { convertedKeyFor } from '../upload-key';
import { convertToJpeg, isConvertibleFormat } from './index';

export type RenditionSettings = Lazy<{ maxBytes: number; maxPixels: number }>;

/**
 * S3's version id of an object stored without versioning: reading "null" reads it. A rendition always names a version
 * (the ASL's ResultSelector takes it), so the recognition steps and the thumbnail read exactly what was written here.
 */
export const NULL_VERSION_ID = 'null';

/**
 * The ConvertImage step: a HEIC/HEIF, AVIF or WebP upload, read at its event's version, as an upright JPEG under
 * converted/, written only if no newer upload's rendition is there (functions/lib/newest-write.ts).
 */
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
  // The upload as a reference names its event's version (UploadRef.versionId): that version is read.
  const original = await objects.read(upload);
  const rendition = await convertToJpeg(original, metadata.format, { maxPixels: settings.maxPixels() });
  const key = convertedKeyFor(upload);
  const written = await writeNewest(objects, { bucket: upload.bucket, key }, upload, {
    body: rendition.body,
    contentType: rendition.contentType,
  });
  return {
    key,
    versionId: written.versionId ?? NULL_VERSION_ID,
    sizeBytes: rendition.body.byteLength,
    format: rendition.format,
    width: rendition.width,
    height: rendition.height,
  };
}
