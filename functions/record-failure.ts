import { imageStore } from './lib/aws/image-store-instance';
import { failureRecord } from './lib/failure';
import { isObject, requireField, type RecordFailureInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** RecordFailure: the item says FAILED, which error, why, and in which state; the ASL then fails the execution. */
export const handler = stepHandler('RecordFailure', async (input: RecordFailureInput) => {
  const failure = requireField<RecordFailureInput['failure']>(input, 'failure', isObject);
  const error = failureRecord(failure);
  await imageStore().finish(input.upload, 'FAILED', { error }, new Date());
  return { status: 'FAILED' as const, error };
});
