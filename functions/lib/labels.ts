import type { AnalysedImage } from './analysed-image';
import type { Lazy } from './config';
import type { StoredLabel } from './image-item';
import { unlessRefused, type ImageRecognition, type Refused } from './recognition';

export type LabelSettings = Lazy<{ maxLabels: number; minConfidence: number }>;

/** What the DetectLabels step answers: the labels, or why Rekognition refused the image. */
export type LabelsOutcome = { labels: StoredLabel[] } | Refused;

/** The DetectLabels step: the labels of the image (the upload or its JPEG rendition), with the settings' limits. */
export async function detectLabels(
  recognition: () => ImageRecognition,
  image: AnalysedImage,
  settings: LabelSettings,
): Promise<LabelsOutcome> {
  return unlessRefused(image, 'DetectLabels', async () => ({
    labels: await recognition().detectLabels(image, {
      maxLabels: settings.maxLabels(),
      minConfidence: settings.minConfidence(),
    }),
  }));
}
