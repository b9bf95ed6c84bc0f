import type { ExifSummary, GpsPosition, ImageFormat } from './image-metadata';
import type { SupportedFormat } from './image-metadata';

/** The lifecycle of one upload. Every execution ends with the item in one of the last three. */
export type ImageStatus = 'PROCESSING' | 'SUCCEEDED' | 'UNSUPPORTED' | 'FAILED';

/** Which upload an execution works on: built once by S3Trigger, passed through the state machine as `$.upload`. */
export interface UploadRef {
  bucket: string;
  key: string;
  userId: string;
  albumId?: string;
  fileName: string;
  imageId: string;
  sequencer: string;
  /** ISO 8601 time of the S3 event. */
  eventTime: string;
  sizeBytes?: number;
  etag?: string;
  /** The version the S3 event names (a versioned bucket): every step reads the upload at this version. */
  versionId?: string;
}

export interface BoundingBox {
  width: number;
  height: number;
  left: number;
  top: number;
}

export interface StoredLabel {
  name: string;
  confidence: number;
  parents: string[];
  categories?: string[];
  instances?: { boundingBox: BoundingBox; confidence: number }[];
}

/** One face DetectFaces found: where, how sure, and what Rekognition tells about it when it does. */
export interface FaceDetail {
  boundingBox: BoundingBox;
  confidence: number;
  ageRange?: { low: number; high: number };
  /** The emotion Rekognition is most confident of. */
  emotion?: { type: string; confidence: number };
  smile?: { value: boolean; confidence: number };
  eyesOpen?: { value: boolean; confidence: number };
}

/** What DetectFaces found: `count: 0, detected: false` is a photo checked and without faces. */
export interface FacesRecord {
  count: number;
  detected: boolean;
  /** The largest faces first, at most MAX_FACE_DETAILS (functions/lib/faces.ts), so items stay small. */
  details: FaceDetail[];
}

/** A DetectModerationLabels label: `parentName` is '' for a top-level category. */
export interface ModerationLabel {
  name: string;
  parentName: string;
  confidence: number;
}

/** What DetectModerationLabels found; `flagged` follows the rule in functions/lib/moderation.ts. */
export interface ModerationRecord {
  labels: ModerationLabel[];
  flagged: boolean;
}

export interface ThumbnailRef {
  key: string;
  width: number;
  height: number;
  format: SupportedFormat;
  sizeBytes: number;
  /** The S3 version GenerateThumbnail wrote (absent before issue 14, or where S3 gave none). */
  versionId?: string;
}

/** The JPEG rendition ConvertImage writes for a format Rekognition cannot read; the item keeps the original format. */
export interface RenditionRef {
  key: string;
  width: number;
  height: number;
  format: 'JPEG';
  sizeBytes: number;
  /**
   * The S3 version ConvertImage wrote ("null" where S3 gave none), which the recognition steps and GenerateThumbnail
   * read, so a newer upload's rendition never stands in for this one's. Absent in items from before issue 14.
   */
  versionId?: string;
}

export interface ErrorRecord {
  name: string;
  message: string;
  /** The state that failed, when known. */
  state?: string;
}

/** An item of the ImageMetadata table. Field names are a contract (pipeline --json, web app). */
export interface ImageItem {
  imageId: string;
  bucket: string;
  key: string;
  userId: string;
  albumId?: string;
  /** `${userId}/${albumId}`: partition key of the album index (see albumKeyOf). */
  albumKey?: string;
  fileName: string;
  status: ImageStatus;
  executionArn?: string;
  sequencer: string;
  /** The sequencer in a form that compares as a string; see sequencer.ts. */
  sequencerOrder: string;
  uploadedAt: string;
  updatedAt: string;
  format?: ImageFormat;
  width?: number;
  height?: number;
  orientation?: number;
  sizeBytes?: number;
  exif?: ExifSummary;
  gps?: GpsPosition;
  labels?: StoredLabel[];
  labelsError?: ErrorRecord;
  /** Absent: not checked (DetectFaces off, or the photo was not processed). */
  faces?: FacesRecord;
  facesError?: ErrorRecord;
  /** Absent: not checked (DetectModeration off, or the photo was not processed). */
  moderation?: ModerationRecord;
  moderationError?: ErrorRecord;
  thumbnail?: ThumbnailRef;
  /** The JPEG rendition recognition and the thumbnail read, for a converted format; `format` stays the upload's. */
  rendition?: RenditionRef;
  error?: ErrorRecord;
}

/**
 * The album index's partition key. Both parts are segments of an S3 key (`private/{userId}/uploads/{albumId}/...`),
 * which the key grammar splits on `/`, so neither can hold a `/` and no two (user, album) pairs share a key. The
 * separator was `#` before issue 14: a key segment may hold `#` (`a#b` + `c` and `a` + `b#c` collided). Pre-release,
 * nothing was migrated: items written with `#` are not found by the new key.
 */
export const ALBUM_KEY_SEPARATOR = '/';

export function albumKeyOf(userId: string, albumId: string | undefined): string | undefined {
  return albumId === undefined ? undefined : `${userId}${ALBUM_KEY_SEPARATOR}${albumId}`;
}

/**
 * What DeleteCascade leaves in place of a deleted photo's item: the delete's sequencer, so events older than the
 * delete are recognised as stale. It has no owner fields, so no index (ByUser, ByAlbum) holds it, and it expires
 * through the table's time to live (`expiresAt`, epoch seconds).
 */
export interface Tombstone {
  imageId: string;
  sequencer: string;
  sequencerOrder: string;
  deletedAt: string;
  expiresAt: number;
}

/** Any item of the ImageMetadata table. */
export type StoredItem = ImageItem | Tombstone;

export function isPhotoItem(item: StoredItem | undefined): item is ImageItem {
  return item !== undefined && typeof (item as Partial<ImageItem>).userId === 'string';
}
