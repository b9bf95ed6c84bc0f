import type { Lazy } from '../config';
import type { UploadRef } from '../image-item';
import type { ConvertibleFormat, ImageMetadata } from '../image-metadata';
import type { ObjectReader } from '../object-store';
import type { StepMetadata } from '../workflow';
import { readImageMetadata } from './extract';

export type ExtractSettings = Lazy<{ convertFormats: readonly ConvertibleFormat[] }>;

/**
 * The ExtractImageMetadata step: the upload's metadata, and whether the workflow converts its format (one of the
 * formats the settings name) so that ImageTypeCheck lets it through.
 */
export async function extractStepMetadata(
  objects: ObjectReader,
  upload: Pick<UploadRef, 'bucket' | 'key' | 'eventTime'>,
  settings: ExtractSettings,
): Promise<StepMetadata> {
  const metadata = await extractUploadMetadata(objects, upload);
  return { ...metadata, convertible: (settings.convertFormats() as readonly string[]).includes(metadata.format) };
}

/**
 * Format from magic bytes, displayed dimensions, EXIF and GPS of the uploaded object,
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
