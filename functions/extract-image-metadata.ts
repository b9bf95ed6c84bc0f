import { s3Objects } from './lib/aws/s3-objects';
import type { ImageMetadata } from './lib/image-metadata';
import { extractUploadMetadata } from './lib/metadata';
import { stepHandler } from './lib/step-handler';

/** ExtractImageMetadata: format from magic bytes, displayed dimensions, EXIF and GPS, reading only the head. */
export const handler = stepHandler('ExtractImageMetadata', async ({ upload }): Promise<ImageMetadata> =>
  extractUploadMetadata(s3Objects(), upload),
);
