import type { UploadRef } from '../image-item';
import type { ImageMetadata } from '../image-metadata';
import type { ObjectReader } from '../object-store';
import { readImageMetadata } from './extract';

/**
 * The ExtractImageMetadata step: format from magic bytes, displayed dimensions, EXIF and GPS of the uploaded object,
 * reading only its head, plus its size and upload time as the object store records them.
 */
export async function extractUploadMetadata(
  objects: ObjectReader,
  upload: Pick<UploadRef, 'bucket' | 'key' | 'eventTime'>,
): Promise<ImageMetadata> {
  const head = await objects.head(upload);
  const { parsed, bytesRead } = await readImageMetadata(
    (start, end) => objects.readRange(upload, start, Math.min(end, head.sizeBytes)),
    head.sizeBytes,
  );
  return {
    ...parsed,
    sizeBytes: head.sizeBytes,
    uploadedAt: (head.lastModified ?? new Date(upload.eventTime)).toISOString(),
    bytesRead,
  };
}
