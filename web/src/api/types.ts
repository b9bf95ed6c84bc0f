import type { BoundingBox, ErrorRecord } from '../../../functions/lib/image-item';
import type { PhotoView } from '../../../functions/lib/photo-view';

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

/**
 * A photo as the API shows it (functions/lib/photo-view.ts: the item without its internal fields, plus presigned
 * URLs), with the fields of issue 13 typed as the pages read them until the item declares them.
 */
export interface Photo extends Omit<PhotoView, 'faces'> {
  faces?: Faces;
  facesError?: ErrorRecord;
  moderation?: Moderation;
  moderationError?: ErrorRecord;
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
