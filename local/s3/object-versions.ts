import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import S3Error from 's3rver/lib/models/error';

/**
 * Version ids and conditional writes of the local S3, as a versioned bucket answers them, without keeping old
 * versions: every write of an object gets a new version id (kept in its record), which GET, HEAD, PUT answers and
 * "Object Created" events carry; a GET or HEAD of any other version id is NoSuchVersion (S3 would still serve an older
 * version; here it is gone), and a DELETE of one removes nothing. Objects stored before version ids existed are the
 * version "null", the id S3 gives objects written while a bucket was unversioned. PutObject's `If-None-Match: *` and
 * `If-Match: <etag>` are checked in the same per-key queue that commits the write, so two conditional writes of one
 * key can never both pass: the second gets 412 PreconditionFailed, as from S3.
 */

/** The id of an object that has none in its record. */
export const NULL_VERSION = 'null';

/** The header on the way from the proxy to the store with the version id the proxy chose (never a client's). */
export const VERSION_HEADER = 'x-local-version-id';

const VERSION_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A fresh version id, in S3's style (32 URL-safe characters). */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The version id the proxy put on the request, when it is one; otherwise a fresh one. */
export function versionIdFrom(headers: IncomingHttpHeaders | undefined): string {
  const given = headers?.[VERSION_HEADER];
  return typeof given === 'string' && VERSION_ID.test(given) ? given : newVersionId();
}

export interface WriteCondition {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** The conditions of a PutObject request; S3 takes only `*` for If-None-Match on a write. */
export function writeConditionOf(headers: IncomingHttpHeaders | undefined): WriteCondition | undefined {
  const ifMatch = headers?.['if-match'];
  const ifNoneMatch = headers?.['if-none-match'];
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', {
      Header: 'If-None-Match',
    });
  return {
    ...(ifMatch !== undefined ? { ifMatch: ifMatch.trim() } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch: '*' } : {}),
  };
}

/** The version id and condition of a write: s3rver hands over its request as the content, with its headers. */
export function commitOptionsOf(content: unknown): { versionId: string; condition: WriteCondition | undefined } {
  const headers = (content as { headers?: IncomingHttpHeaders } | null)?.headers;
  return { versionId: versionIdFrom(headers), condition: writeConditionOf(headers) };
}

/**
 * S3's answer when the condition does not hold for the object as it is now (`md5` undefined: no object): 412
 * PreconditionFailed, or 404 NoSuchKey for If-Match on a key that has no object; undefined when the write may go on.
 */
export function writeRefusal(
  condition: WriteCondition | undefined,
  key: string,
  md5: string | undefined,
): Error | undefined {
  if (!condition) return undefined;
  if (condition.ifNoneMatch && md5 !== undefined) return preconditionFailed('If-None-Match');
  if (condition.ifMatch === undefined) return undefined;
  if (md5 === undefined) return new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
  const wanted = condition.ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, '').replace(/"/g, ''));
  return !wanted.includes('*') && !wanted.includes(md5) ? preconditionFailed('If-Match') : undefined;
}

function preconditionFailed(condition: string): Error {
  return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: condition,
  });
}
