import type { BoundingBox, ErrorRecord, ImageItem } from '../../../functions/lib/image-item';

/** The shapes of docs/api.md, as the web app reads them. */
export interface Album {
  albumId: string;
  name: string;
  createdAt: string;
  photoCount: number;
  coverUrl?: string;
}

/** One face of `faces.details` (issue 13): the box is relative to the photo, 0..1. */
export interface FaceDetail {
  boundingBox: BoundingBox;
  confidence?: number;
  ageRange?: { low?: number; high?: number };
  emotion?: string;
  smile?: boolean;
  eyesOpen?: boolean;
}

export interface Faces {
  count: number;
  detected?: boolean;
  details?: FaceDetail[];
}

export interface ModerationLabel {
  name: string;
  parentName?: string;
  confidence: number;
}

export interface Moderation {
  flagged: boolean;
  labels: ModerationLabel[];
}

/** Internal fields the API never shows (docs/api.md, Photos). */
type InternalField = 'bucket' | 'key' | 'sequencer' | 'sequencerOrder' | 'albumKey' | 'faces';

/** The public view of an ImageMetadata item, plus the presigned URLs the API adds. */
export interface Photo extends Omit<ImageItem, InternalField> {
  faces?: Faces;
  facesError?: ErrorRecord;
  moderation?: Moderation;
  moderationError?: ErrorRecord;
  thumbnailUrl?: string;
  /** GET /photos/{imageId} only. */
  originalUrl?: string;
  /** GET /photos/{imageId} only, on AWS. */
  executionConsoleUrl?: string;
}

export interface PhotoPage {
  photos: Photo[];
  next?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT';

export interface Step {
  name: string;
  status: StepStatus;
  startedAt: string;
  stoppedAt?: string;
  durationMs?: number;
  error?: string;
  cause?: string;
}

export interface Execution {
  executionArn: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  steps: Step[];
}

/** A presigned POST: send `fields` first and the file last, under the name `file`. */
export interface Upload {
  url: string;
  fields: Record<string, string>;
  key: string;
  imageId: string;
  expiresIn: number;
  maxBytes: number;
}

export interface UploadRequest {
  fileName: string;
  contentType: string;
  size: number;
  albumId?: string;
}
