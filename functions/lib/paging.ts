import { createHash } from 'node:crypto';
import { BadRequest } from './api-errors';

/**
 * The `next` token of GET /photos. It carries only the position inside a listing (the last photo's id and upload
 * time) and which listing it belongs to; the partition (the caller, or the caller's album) is always rebuilt from the
 * token's `sub`, so no token can make a query read another user's photos. Opaque to clients (base64url JSON), not
 * signed: a forged position can only move within the caller's own listing, and anything malformed is a 400.
 */
export interface PageCursor {
  imageId: string;
  uploadedAt: string;
}

/** Which listing a token belongs to: all the caller's photos, or one album's. */
export type PhotoListing = { userId: string } | { userId: string; albumId: string };

const VERSION = 1;
const MAX_TOKEN_LENGTH = 512;

export function encodePageToken(listing: PhotoListing, cursor: PageCursor): string {
  const payload = { v: VERSION, l: listingTag(listing), i: cursor.imageId, t: cursor.uploadedAt };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodePageToken(listing: PhotoListing, token: string): PageCursor {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const fields = payload as Record<string, unknown> | null;
  if (
    typeof fields !== 'object' ||
    fields === null ||
    Object.keys(fields).sort().join(',') !== 'i,l,t,v' ||
    fields.v !== VERSION ||
    typeof fields.i !== 'string' ||
    !/^[A-Za-z0-9_-]{27}$/.test(fields.i) ||
    typeof fields.t !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(fields.t)
  ) {
    throw invalid();
  }
  if (fields.l !== listingTag(listing)) throw new BadRequest('"next" belongs to another listing');
  return { imageId: fields.i, uploadedAt: fields.t };
}

/** The album is hashed so tokens stay short whatever the album id; only equality matters. */
function listingTag(listing: PhotoListing): string {
  if (!('albumId' in listing)) return 'all';
  return `album:${createHash('sha256').update(listing.albumId, 'utf8').digest('base64url').slice(0, 16)}`;
}

function invalid(): BadRequest {
  return new BadRequest('"next" is not a paging token of this API');
}
