import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HashedStore } from './hashed-store';
import { newVersionId, VERSION_HEADER } from './object-versions';
import { OBJECT_ANSWER_HEADERS, sendS3Error } from './s3-answers';
import type { S3Target } from './s3-target';

/**
 * What the proxy does for version ids (./object-versions.ts) around a request to s3rver, which knows none:
 * - before: a client's own version header is dropped; a PutObject gets the version id it will be stored under; a
 *   DELETE of a version is answered here (204), removing the object only while that version is its current one;
 * - after: a PutObject's answer carries its `x-amz-version-id`; a GET or HEAD of `?versionId=` whose answer is not
 *   that version (or no object) becomes S3's 404 NoSuchVersion.
 */
export interface VersionedRequest {
  /** The version the request names (`?versionId=`), if any. */
  requested?: string;
  /** The version a PutObject will be stored under. */
  writes?: string;
}

/** Prepares the request; true when it was answered here. */
export async function beforeForwarding(
  req: IncomingMessage,
  res: ServerResponse,
  target: S3Target,
  store: HashedStore,
  onDeleted: (bucket: string, key: string) => void,
): Promise<{ answered: boolean; versioned: VersionedRequest }> {
  delete target.headers[VERSION_HEADER];
  const requested = target.query.get('versionId') ?? undefined;
  const versioned: VersionedRequest = requested !== undefined ? { requested } : {};
  if (!target.bucket || !target.key) return { answered: false, versioned };
  if (req.method === 'DELETE' && requested !== undefined) {
    // Checked and deleted in one step of the key's commit queue: a newer version written between a check here and
    // s3rver's delete would otherwise be the one removed.
    if (await store.deleteVersion(target.bucket, target.key, requested)) onDeleted(target.bucket, target.key);
    res.writeHead(204, { 'x-amz-version-id': requested, ...OBJECT_ANSWER_HEADERS }).end();
    return { answered: true, versioned };
  }
  if (target.carriesObjectBytes && !target.query.has('uploadId')) {
    versioned.writes = newVersionId();
    target.headers[VERSION_HEADER] = versioned.writes;
  }
  return { answered: false, versioned };
}

/** The headers to add to s3rver's answer, or false when the answer must be replaced by NoSuchVersion. */
export function answerHeaders(
  req: IncomingMessage,
  answer: IncomingMessage,
  target: S3Target,
  versioned: VersionedRequest,
): string[] | false {
  const status = answer.statusCode ?? 502;
  if (versioned.writes && status === 200) return ['x-amz-version-id', versioned.writes];
  const reads = req.method === 'GET' || req.method === 'HEAD';
  if (!reads || versioned.requested === undefined || !target.key) return [];
  const served = answer.headers['x-amz-version-id'];
  const missing = status === 404 || ((status < 300 || status === 304) && served !== versioned.requested);
  return missing ? false : [];
}

export function sendNoSuchVersion(res: ServerResponse, target: S3Target, versionId: string): void {
  sendS3Error(res, 404, 'NoSuchVersion', 'The specified version does not exist.', {
    Key: target.key ?? '',
    VersionId: versionId,
  });
}
