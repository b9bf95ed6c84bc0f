import { imageStore } from './lib/aws/image-store-instance';
import { recordFailure } from './lib/outcomes';
import { isObject, requireField, type RecordFailureInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/**
 * RecordFailure: the item says FAILED, which error, why, and in which state; answers the notification NotifyResult
 * publishes, after which the execution fails.
 */
export const handler = stepHandler('RecordFailure', async (input: RecordFailureInput) => {
  const failure = requireField<RecordFailureInput['failure']>(input, 'failure', isObject);
  return recordFailure(imageStore(), { upload: input.upload, failure }, new Date());
});
