import { imageStore } from './lib/aws/image-store-instance';
import { NotSupportedImageType } from './lib/errors';
import type { MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** RecordUnsupported: the item says UNSUPPORTED with the detected format; the ASL then fails the execution. */
export const handler = stepHandler('RecordUnsupported', async ({ upload, metadata }: MetadataStepInput) => {
  const error = new NotSupportedImageType(metadata?.format ?? 'UNKNOWN');
  await imageStore().finish(
    upload,
    'UNSUPPORTED',
    { metadata, error: { name: error.name, message: error.message, state: 'ImageTypeCheck' } },
    new Date(),
  );
  return { status: 'UNSUPPORTED' as const, format: error.format };
});
