import { imageStore } from './lib/aws/image-store-instance';
import { recordUnsupported } from './lib/outcomes';
import type { MetadataStepInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/**
 * RecordUnsupported: the item says UNSUPPORTED with the metadata that was read and why (the format, or ConvertImage's
 * refusal); answers the notification NotifyResult publishes, after which the execution fails.
 */
export const handler = stepHandler('RecordUnsupported', async (input: MetadataStepInput) =>
  recordUnsupported(imageStore(), input, new Date()),
);
