import { imageStore } from './lib/aws/image-store-instance';
import { unsupportedRecord } from './lib/failure';
import type { MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/**
 * RecordUnsupported: the item says UNSUPPORTED with the metadata that was read and why (the format, or ConvertImage's
 * refusal); the ASL then fails the execution.
 */
export const handler = stepHandler('RecordUnsupported', async ({ upload, metadata }: MetadataStepInput) => {
  const error = unsupportedRecord(metadata);
  await imageStore().finish(upload, 'UNSUPPORTED', { metadata, error }, new Date());
  return { status: 'UNSUPPORTED' as const, format: metadata?.format ?? 'UNKNOWN' };
});
