import { s3Objects } from './lib/aws/s3-objects';
import { convertFormats } from './lib/config';
import { extractStepMetadata, type ExtractSettings } from './lib/metadata';
import { stepHandler } from './lib/step-handler';
import type { StepMetadata } from './lib/workflow';

const settings: ExtractSettings = { convertFormats };

/**
 * ExtractImageMetadata: format from magic bytes, displayed dimensions, EXIF and GPS, reading only the head; and
 * whether CONVERT_FORMATS has the workflow convert the format.
 */
export const handler = stepHandler('ExtractImageMetadata', async ({ upload }): Promise<StepMetadata> =>
  extractStepMetadata(s3Objects(), upload, settings),
);
