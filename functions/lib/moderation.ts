import type { AnalysedImage } from './analysed-image';
import type { Lazy } from './config';
import type { ModerationLabel, ModerationRecord } from './image-item';
import { unlessRefused, type ImageRecognition, type Refused } from './recognition';

/** Moderation labels kept on the item, the most confident first (Rekognition's taxonomy has three levels). */
export const MAX_MODERATION_LABELS = 25;

export type ModerationSettings = Lazy<{ enabled: boolean; minConfidence: number }>;

/** What the DetectModerationLabels step answers: the labels and the verdict, a refusal, or that it is off. */
export type ModerationOutcome = { moderation: ModerationRecord } | Refused | { skipped: 'disabled' };

/** The DetectModerationLabels step: the labels at or above the minimum confidence, and whether they flag the photo. */
export async function detectModeration(
  recognition: () => ImageRecognition,
  image: AnalysedImage,
  settings: ModerationSettings,
): Promise<ModerationOutcome> {
  if (!settings.enabled()) return { skipped: 'disabled' };
  const minConfidence = settings.minConfidence();
  return unlessRefused(image, 'DetectModerationLabels', async () => ({
    moderation: moderationRecord(await recognition().detectModerationLabels(image, minConfidence), minConfidence),
  }));
}

/**
 * The rule: a photo is flagged when any moderation label, of any level of the taxonomy, has a confidence at or above
 * ModerationMinConfidence. Rekognition is asked for labels at that confidence already; the rule is applied here too,
 * so a service answering more (or a mock) cannot flag a photo below it.
 */
export function moderationRecord(found: readonly ModerationLabel[], minConfidence: number): ModerationRecord {
  const labels = found
    .filter((label) => label.confidence >= minConfidence)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, MAX_MODERATION_LABELS);
  return { labels, flagged: labels.length > 0 };
}
