import { createHash } from 'node:crypto';
import { InvalidUploadKey } from './errors';

/**
 * The key grammar of the photo bucket:
 *   private/{userId}/uploads/[{albumId}/]{fileName}   originals, the only keys that start a workflow
 *   private/{userId}/resized/[{albumId}/]{fileName}   thumbnails, written by GenerateThumbnail
 *   private/{userId}/converted/[{albumId}/]{fileName}.jpg   JPEG renditions, written by ConvertImage
 * User isolation is by this prefix: a Cognito identity id (`us-east-1:uuid`) is a valid userId.
 */
export interface UploadKey {
  key: string;
  userId: string;
  albumId?: string;
  fileName: string;
}

/** Where a key came from decides how it was encoded (see decodeEventKey). */
export type KeyEncoding = 's3-notification' | 'eventbridge';

const MAX_KEY_BYTES = 1024;

/**
 * Turns the key carried by an event into the real object key, exactly once, at the edge.
 * - Classic S3 notifications form-encode the key: a space arrives as `+`, a literal `+` as `%2B`
 *   (S3 user guide, "Event message structure": "the object key name value is URL encoded").
 * - EventBridge "Object Created" events carry the key percent-encoded only: `+` is a literal plus.
 * A key that is not valid percent-encoding cannot have come from S3 encoding it, so it is taken as given.
 */
export function decodeEventKey(rawKey: string, encoding: KeyEncoding): string {
  const formDecoded = encoding === 's3-notification' ? rawKey.replace(/\+/g, ' ') : rawKey;
  try {
    return decodeURIComponent(formDecoded);
  } catch {
    return formDecoded;
  }
}

/** Parses an already decoded key. Throws InvalidUploadKey when it is not an upload. */
export function parseUploadKey(key: string): UploadKey {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidUploadKey(key, 'longer than 1024 bytes');
  const parts = key.split('/');
  if (parts[0] !== 'private' || parts[2] !== 'uploads') {
    throw new InvalidUploadKey(key, 'expected private/{userId}/uploads/[{albumId}/]{fileName}');
  }
  const userId = parts[1] ?? '';
  if (!isSegment(userId)) throw new InvalidUploadKey(key, 'empty user id');
  const rest = parts.slice(3);
  if (rest.length === 0 || rest.length > 2) {
    throw new InvalidUploadKey(key, 'expected at most one album folder below uploads/');
  }
  const fileName = rest[rest.length - 1] ?? '';
  if (!isSegment(fileName)) throw new InvalidUploadKey(key, 'no file name (folder placeholder?)');
  if (rest.length === 2) {
    const albumId = rest[0] ?? '';
    if (!isSegment(albumId)) throw new InvalidUploadKey(key, 'empty album name');
    return { key, userId, albumId, fileName };
  }
  return { key, userId, fileName };
}

/** Like parseUploadKey, but answers undefined for keys outside the grammar instead of throwing. */
export function tryParseUploadKey(key: string): UploadKey | undefined {
  try {
    return parseUploadKey(key);
  } catch (error) {
    if (error instanceof InvalidUploadKey) return undefined;
    throw error;
  }
}

export function uploadKeyOf(parts: Omit<UploadKey, 'key'>): string {
  return joinKey('uploads', parts);
}

/** The thumbnail of an upload keeps its user, album and file name under resized/. */
export function thumbnailKeyFor(upload: UploadKey): string {
  return joinKey('resized', upload);
}

/**
 * The JPEG rendition of a photo Rekognition cannot read (HEIC, AVIF, WebP) keeps its user and album under converted/,
 * with ".jpg" added to the whole file name so that "a.heic" and "a.webp" in one album never share a rendition.
 */
export function convertedKeyFor(upload: UploadKey): string {
  return joinKey('converted', { ...upload, fileName: `${upload.fileName}.jpg` });
}

/** A stable id for the photo at this key: the same key always maps to the same item. */
export function imageIdFor(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 27);
}

function joinKey(folder: 'uploads' | 'resized' | 'converted', parts: Omit<UploadKey, 'key'>): string {
  const album = parts.albumId === undefined ? [] : [parts.albumId];
  return ['private', parts.userId, folder, ...album, parts.fileName].join('/');
}

function isSegment(value: string): boolean {
  return value.length > 0 && value !== '.' && value !== '..';
}
