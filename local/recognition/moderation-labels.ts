import type { ContentType, DetectModerationLabelsResponse, ModerationLabel } from '@aws-sdk/client-rekognition';
import type { NsfwClass, NsfwScores } from './moderation-model';

/**
 * nsfwjs's five classes on Rekognition's moderation taxonomy (version 7: three levels, L1 > L2 > L3). The classes are
 * mutually exclusive probabilities, so a label fed by two classes gets their sum:
 *
 *   Porn + Hentai  -> Explicit (L1) > Explicit Nudity (L2)   (no L3: the model does not locate body parts)
 *   Sexy           -> Swimwear or Underwear (L1)             (no L2: it does not tell female from male)
 *   Drawing + Hentai -> ContentTypes Illustrated
 *   Neutral        -> nothing
 *
 * Everything else of the taxonomy (Non-Explicit Nudity of Intimate parts and Kissing, Violence, Visually Disturbing,
 * Drugs & Tobacco, Alcohol, Rude Gestures, Gambling, Hate Symbols) is never returned: the model has no class for it.
 */
interface LabelRule {
  name: string;
  parentName: string;
  level: 1 | 2 | 3;
  from: readonly NsfwClass[];
}

export const MODERATION_RULES: readonly LabelRule[] = [
  { name: 'Explicit', parentName: '', level: 1, from: ['Porn', 'Hentai'] },
  { name: 'Explicit Nudity', parentName: 'Explicit', level: 2, from: ['Porn', 'Hentai'] },
  { name: 'Swimwear or Underwear', parentName: '', level: 1, from: ['Sexy'] },
];

export const CONTENT_TYPE_RULES: ReadonlyArray<{ name: string; from: readonly NsfwClass[] }> = [
  { name: 'Illustrated', from: ['Drawing', 'Hentai'] },
];

/** Rekognition's default when MinConfidence is absent (DetectModerationLabels: 50, unlike DetectLabels' 55). */
export const DEFAULT_MODERATION_MIN_CONFIDENCE = 50;

const confidenceOf = (scores: NsfwScores, from: readonly NsfwClass[]): number =>
  Math.min(100, 100 * from.reduce((sum, name) => sum + scores[name], 0));

/** Every label of the mapping with its confidence, most confident first (a parent before its child on a tie). */
export function moderationLabelsOf(scores: NsfwScores): ModerationLabel[] {
  return MODERATION_RULES.map((rule) => ({
    Confidence: confidenceOf(scores, rule.from),
    Name: rule.name,
    ParentName: rule.parentName,
    TaxonomyLevel: rule.level,
  })).sort((a, b) => b.Confidence - a.Confidence || a.TaxonomyLevel - b.TaxonomyLevel);
}

export function contentTypesOf(scores: NsfwScores): ContentType[] {
  return CONTENT_TYPE_RULES.map((rule) => ({ Confidence: confidenceOf(scores, rule.from), Name: rule.name }));
}

export function toDetectModerationLabelsResponse(
  scores: NsfwScores,
  minConfidence: number,
  modelVersion: string,
): DetectModerationLabelsResponse {
  const kept = <T extends { Confidence?: number }>(items: T[]): T[] =>
    items.filter((item) => (item.Confidence ?? 0) >= minConfidence);
  return {
    ModerationLabels: kept(moderationLabelsOf(scores)),
    ModerationModelVersion: modelVersion,
    ContentTypes: kept(contentTypesOf(scores)),
  };
}
