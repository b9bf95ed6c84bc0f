import type { ErrorRecord, ImageItem, ThumbnailRef } from './image-item';
import type { FacesOutcome } from './faces';
import { failureMessage } from './failure';
import type { LabelsOutcome } from './labels';
import type { ModerationOutcome } from './moderation';

/**
 * What a recognition branch of ProcessImage answers when its step failed for good: the branch's Catch and its Pass
 * state put the error output ({ Error, Cause }) here instead of the step's Payload, so the branch still succeeds.
 */
export interface BranchFailure {
  failed: { Error?: string; Cause?: string };
}

/** The ProcessImage Parallel's results, as its ResultSelector names them (`$.processed`, BRANCH_RESULT_FIELDS). */
export interface ProcessedResults {
  labels: LabelsOutcome | BranchFailure;
  thumbnail: ThumbnailRef;
  faces: FacesOutcome | BranchFailure;
  moderation: ModerationOutcome | BranchFailure;
}

/** The item fields the results give: each result or its error record; a step that was off gives neither. */
export type ResultFields = Pick<
  ImageItem,
  'labels' | 'labelsError' | 'faces' | 'facesError' | 'moderation' | 'moderationError' | 'thumbnail'
>;

export function resultFields(processed: ProcessedResults): ResultFields {
  const { labels, faces, moderation, thumbnail } = processed;
  return {
    ...('labels' in labels ? { labels: labels.labels } : { labels: [], labelsError: errorOf(labels, 'DetectLabels') }),
    ...('faces' in faces ? { faces: faces.faces } : {}),
    ...(isError(faces) ? { facesError: errorOf(faces, 'DetectFaces') } : {}),
    ...('moderation' in moderation ? { moderation: moderation.moderation } : {}),
    ...(isError(moderation) ? { moderationError: errorOf(moderation, 'DetectModerationLabels') } : {}),
    thumbnail,
  };
}

const isError = (outcome: object): outcome is { refused: ErrorRecord } | BranchFailure =>
  'refused' in outcome || 'failed' in outcome;

/** A refusal as Rekognition named it; a failure with the step that failed, as RecordFailure records one. */
function errorOf(outcome: { refused: ErrorRecord } | BranchFailure, state: string): ErrorRecord {
  if ('refused' in outcome) return outcome.refused;
  return { name: outcome.failed.Error || 'UnknownError', message: failureMessage(outcome.failed.Cause), state };
}
