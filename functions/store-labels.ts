import { imageStore } from './lib/aws/image-store-instance';
import type { LabelsOutcome } from './lib/image-store';
import { isObject, requireField, type StoreLabelsInput } from './lib/step-events';
import { stepHandler } from './lib/step-handler';

/** StoreLabels: the labels, or the reason Rekognition refused the image, on the upload's item. */
export const handler = stepHandler('StoreLabels', async (input: StoreLabelsInput) => {
  const detection = requireField<LabelsOutcome>(input, 'detection', isObject);
  await imageStore().saveLabels(input.upload, detection, new Date());
  return 'refused' in detection
    ? { labelCount: 0, refused: detection.refused.name }
    : { labelCount: detection.labels.length };
});
