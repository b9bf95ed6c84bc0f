import { BadRequest, PayloadTooLarge } from './api-errors';

/**
 * Validation of every value a request carries. Each function answers the clean value or throws BadRequest (or
 * PayloadTooLarge) with a sentence that names the field, so a route never touches raw input.
 */

export const MAX_ALBUM_NAME_LENGTH = 100;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
const MAX_FILE_NAME_LENGTH = 255;
const MAX_ALBUM_ID_LENGTH = 255;
const CONTROL = /\p{Cc}/u;

/** An album's display name: 1-100 characters after trimming, no control characters. */
export function albumName(value: unknown): string {
  if (typeof value !== 'string') throw new BadRequest('"name" must be a string');
  const name = value.trim();
  const length = [...name].length;
  if (length === 0) throw new BadRequest('"name" must not be empty');
  if (length > MAX_ALBUM_NAME_LENGTH) {
    throw new BadRequest(`"name" must be at most ${MAX_ALBUM_NAME_LENGTH} characters`);
  }
  if (CONTROL.test(name)) throw new BadRequest('"name" must not contain control characters');
  return name;
}

/**
 * An album id. The API makes URL-safe ids, but an album made from an upload folder (CLI, console) is named by that
 * folder, so any key segment is accepted: no `/`, not `.` or `..`, no control characters.
 */
export function albumId(value: unknown, field = 'albumId'): string {
  if (typeof value !== 'string' || value.length === 0) throw new BadRequest(`"${field}" must be a non-empty string`);
  if ([...value].length > MAX_ALBUM_ID_LENGTH || value.includes('/') || value === '.' || value === '..') {
    throw new BadRequest(`"${field}" is not an album id`);
  }
  if (CONTROL.test(value)) throw new BadRequest(`"${field}" must not contain control characters`);
  return value;
}

/** A photo id: what imageIdFor makes (27 base64url characters). */
export function imageId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{27}$/.test(value)) {
    throw new BadRequest('"imageId" is not a photo id');
  }
  return value;
}

/** The `limit` query parameter: 1 to 100, 50 when absent. */
export function pageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE_SIZE) {
    throw new BadRequest(`"limit" must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return Number(value);
}

export interface UploadRequest {
  fileName: string;
  contentType: string;
  size: number;
  albumId?: string;
}

/** POST /uploads: an image file name, an `image/*` content type and a size within `maxBytes`. */
export function uploadRequest(body: Record<string, unknown>, maxBytes: number): UploadRequest {
  const { fileName, contentType, size } = body;
  if (typeof fileName !== 'string' || fileName.trim().length === 0) {
    throw new BadRequest('"fileName" must be a non-empty string');
  }
  if ([...fileName].length > MAX_FILE_NAME_LENGTH) {
    throw new BadRequest(`"fileName" must be at most ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (/[/\\]/.test(fileName) || fileName === '.' || fileName === '..' || CONTROL.test(fileName)) {
    throw new BadRequest('"fileName" must be a plain file name (no folders or control characters)');
  }
  if (typeof contentType !== 'string' || !/^image\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/.test(contentType)) {
    throw new BadRequest('"contentType" must be an image type such as image/jpeg');
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    throw new BadRequest('"size" must be a whole number of bytes, at least 1');
  }
  if (size > maxBytes) throw new PayloadTooLarge(`"size" is ${size} bytes; uploads are at most ${maxBytes} bytes`);
  return {
    fileName,
    contentType,
    size,
    ...(body.albumId === undefined ? {} : { albumId: albumId(body.albumId) }),
  };
}
