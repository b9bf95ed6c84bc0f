import { imageStore } from './lib/aws/image-store-instance';
import { s3Objects } from './lib/aws/s3-objects';
import { recordFailure } from './lib/outcomes';
import { isObject, requireField, type RecordFailureInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';
import { recordOrDiscard } from './lib/superseded-objects';

/**
 * RecordFailure: the item says FAILED, which error, why, and in which state; answers the notification NotifyResult
 * publishes, after which the execution fails. When a delete or a newer upload took the item over, a thumbnail or
 * rendition this execution wrote before failing is removed instead (functions/lib/superseded-objects.ts).
 */
export const handler = stepHandler('RecordFailure', async (input: RecordFailureInput) => {
  const failure = requireField<RecordFailureInput['failure']>(input, 'failure', isObject);
  const record = () => recordFailure(imageStore(), { upload: input.upload, failure }, new Date());
  return recordOrDiscard(record, s3Objects(), input.upload);
});
