import type { PhotoView } from '../../../functions/lib/photo-view';

/** The shapes of docs/api.md, as the web app reads them. */
export interface Album {
  albumId: string;
  name: string;
  createdAt: string;
  photoCount: number;
  coverUrl?: string;
}

export type {
  FaceDetail,
  FacesRecord as Faces,
  ModerationRecord as Moderation,
} from '../../../functions/lib/image-item';

/** A photo as the API shows it: the item without its internal fields, plus presigned URLs (photo-view.ts). */
export type Photo = PhotoView;

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
