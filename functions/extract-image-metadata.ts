import { s3Client } from './lib/aws/s3-client';
import type { ImageMetadata } from './lib/image-metadata';
import { readImageMetadata } from './lib/metadata';
import { headObject, readObjectRange } from './lib/s3-objects';
import { stepHandler } from './lib/step-handler';

/** ExtractImageMetadata: format from magic bytes, displayed dimensions, EXIF and GPS, reading only the head. */
export const handler = stepHandler('ExtractImageMetadata', async ({ upload }): Promise<ImageMetadata> => {
  const s3 = s3Client();
  const head = await headObject(s3, upload.bucket, upload.key);
  const { parsed, bytesRead } = await readImageMetadata(
    (start, end) => readObjectRange(s3, upload.bucket, upload.key, start, Math.min(end, head.sizeBytes)),
    head.sizeBytes,
  );
  return {
    ...parsed,
    sizeBytes: head.sizeBytes,
    uploadedAt: (head.lastModified ?? new Date(upload.eventTime)).toISOString(),
    bytesRead,
  };
});
