import type { ErrorRecord, ImageStatus, UploadRef } from './image-item';
import type { ResultFields } from './processing-result';

/**
 * The message NotifyResult publishes for an outcome (`arn:aws:states:::sns:publish`: Subject, Message and
 * MessageAttributes as SNS takes them). The record steps make it, so the state machine only passes it on.
 */
export type FinalStatus = Exclude<ImageStatus, 'PROCESSING'>;

/** An SNS message attribute as Publish takes it: subscribers filter on these (README, "Notifications"). */
export interface SnsAttribute {
  DataType: 'String';
  StringValue: string;
}

export interface Notification {
  subject: string;
  message: string;
  attributes: Record<string, SnsAttribute>;
}

/** Where an outcome's message goes when no state publishes it (ReconcileExecution). */
export interface NotificationPublisher {
  publish(notification: Notification): Promise<void>;
}

export interface OutcomeReport {
  /** What the message names: the file, its album, whose it is. */
  upload: Pick<UploadRef, 'userId' | 'albumId' | 'fileName' | 'imageId'>;
  status: FinalStatus;
  /** Why the upload is UNSUPPORTED or FAILED. */
  error?: ErrorRecord;
  /** What a SUCCEEDED upload's item now holds. */
  results?: Partial<ResultFields>;
}

/** SNS takes a subject of printable ASCII, under 100 characters. */
export const MAX_SUBJECT = 99;
const TOP_LABELS = 5;
const TOP_MODERATION_LABELS = 3;

const HEADLINES: Record<FinalStatus, string> = {
  SUCCEEDED: 'Photo processed',
  UNSUPPORTED: 'Photo not supported',
  FAILED: 'Photo processing failed',
};

export function notificationFor(report: OutcomeReport): Notification {
  const { upload, status, results } = report;
  return {
    subject: subjectFor(HEADLINES[status], upload.fileName),
    message: [...placeOf(upload), `Outcome: ${outcomeLine(report)}`, ...(results ? findings(results) : [])].join('\n'),
    attributes: attributesFor(report),
  };
}

/** The attributes a filter policy can match: which upload, whose, and what was found ('unknown' when not checked). */
export function attributesFor({ upload, status, results }: OutcomeReport): Record<string, SnsAttribute> {
  const faces = results?.faces;
  const moderation = results?.moderation;
  const values: Record<string, string | undefined> = {
    status,
    userId: upload.userId,
    albumId: upload.albumId,
    imageId: upload.imageId,
    fileName: upload.fileName,
    faceDetected: faces ? String(faces.detected) : 'unknown',
    flagged: moderation ? String(moderation.flagged) : 'unknown',
  };
  return Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => [name, { DataType: 'String', StringValue: attributeValue(value) }]),
  );
}

function placeOf(upload: OutcomeReport['upload']): string[] {
  return [
    `File: ${readable(upload.fileName)}`,
    `Album: ${upload.albumId === undefined ? '(none)' : readable(upload.albumId)}`,
  ];
}

function outcomeLine({ status, error }: OutcomeReport): string {
  if (!error) return status;
  const where = error.state ? ` in ${error.state}` : '';
  return `${status}${where}: ${error.name}: ${readable(error.message)}`;
}

function findings(results: Partial<ResultFields>): string[] {
  const { faces, facesError, labels, labelsError, moderation, moderationError } = results;
  const notChecked = (error: ErrorRecord | undefined, off: string) =>
    `not checked (${error ? `${error.name}: ${readable(error.message)}` : off})`;
  const faceLine = faces
    ? faces.detected
      ? `Face Detected (${faces.count} ${faces.count === 1 ? 'face' : 'faces'})`
      : 'No Face Detected'
    : notChecked(facesError, 'face detection is off');
  const labelLine = labelsError
    ? notChecked(labelsError, '')
    : labels && labels.length > 0
      ? top(labels, TOP_LABELS)
      : 'none found';
  const moderationLine = moderation
    ? moderation.flagged
      ? `FLAGGED (${top(moderation.labels, TOP_MODERATION_LABELS)})`
      : 'not flagged'
    : notChecked(moderationError, 'moderation is off');
  return [`Faces: ${faceLine}`, `Labels: ${labelLine}`, `Moderation: ${moderationLine}`];
}

/** The most confident names, e.g. "Person 99.1 %, Outdoors 98.2 %". */
function top(labels: readonly { name: string; confidence: number }[], count: number): string {
  return [...labels]
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, count)
    .map((label) => `${label.name} ${label.confidence.toFixed(1)} %`)
    .join(', ');
}

/** "Photo processed: IMG_0001.HEIC", in printable ASCII and under 100 characters, as SNS requires of a subject. */
export function subjectFor(headline: string, fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '?');
  const room = MAX_SUBJECT - headline.length - 2;
  const name = ascii.length <= room ? ascii : `${ascii.slice(0, room - 3)}...`;
  return `${headline}: ${name}`;
}

/** Text from a key or an error, without control characters or lone surrogates (SNS refuses what XML cannot hold). */
function readable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu, '?');
}

/** SNS refuses an empty attribute value. */
function attributeValue(text: string): string {
  return readable(text) || '?';
}
