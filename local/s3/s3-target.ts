import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * What an S3 request addresses, read once from its raw request line (never through URL normalisation, which would
 * turn a key's `..` or `%2e%2e` segments into a different key): the path-style path s3rver gets (`bucket.localhost`
 * becomes `/bucket/...`), the bucket, the key as S3 decodes it, the query, and a copy of the headers to forward. A
 * request line S3 could not parse is refused here with S3's error.
 */
export class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface S3Target {
  /** Path-style, still percent-encoded, with the query. */
  path: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: OutgoingHttpHeaders;
  accessKey?: string;
  /** A PutObject or UploadPart: the body is an object's bytes, streamed whatever its size. */
  carriesObjectBytes: boolean;
}

export function targetOf(req: IncomingMessage, internalPort: number): S3Target {
  const raw = req.url ?? '/';
  // Printable ASCII only: a request line with other bytes is not a URI S3 parses.
  if (!raw.startsWith('/') || !/^[\x21-\x7e]*$/.test(raw))
    throw new S3Refusal(400, 'InvalidURI', "Couldn't parse the specified URI.");
  const queryAt = raw.indexOf('?');
  const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const search = queryAt < 0 ? '' : raw.slice(queryAt);
  const headers: OutgoingHttpHeaders = { ...req.headers };
  const hostBucket = virtualHostBucket(req.headers.host);
  const path = hostBucket ? `/${hostBucket}${rawPath === '/' ? '' : rawPath}` : rawPath;
  if (hostBucket) headers.host = `localhost:${internalPort}`;
  const [, bucketText = '', keyText = ''] = /^\/([^/]*)\/?(.*)$/s.exec(path) ?? [];
  const query = new URLSearchParams(search);
  checkCopySource(req.headers['x-amz-copy-source']);
  const bucket = decoded(bucketText) || undefined;
  const key = decoded(keyText) || undefined;
  return {
    // Re-encoded whole: s3rver's router matches a key by non-empty segments, S3 keys may have empty ones (`/abs`, `a//b`).
    path: `${key ? `/${bucketText}/${encodeURIComponent(key)}` : path}${search}`,
    ...(bucket ? { bucket } : {}),
    ...(key ? { key } : {}),
    query,
    headers,
    ...accessKeyField(req, query),
    carriesObjectBytes:
      req.method === 'PUT' &&
      key !== undefined &&
      !req.headers['x-amz-copy-source'] &&
      [...query.keys()].every((name) => name === 'partNumber' || name === 'uploadId' || /^x-(amz|id)/i.test(name)),
  };
}

/** <bucket>.localhost[:port] -> the bucket; path-style and IP hosts -> undefined. */
export function virtualHostBucket(host: string | undefined): string | undefined {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const match = /^(.+)\.localhost$/.exec(hostname);
  return match?.[1];
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Refusal(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

function checkCopySource(source: string | string[] | undefined): void {
  if (source === undefined) return;
  try {
    decodeURI(String(source));
  } catch {
    throw new S3Refusal(400, 'InvalidArgument', 'Invalid copy source encoding.');
  }
}

function accessKeyField(req: IncomingMessage, query: URLSearchParams): { accessKey?: string } {
  const accessKey =
    /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ??
    query.get('X-Amz-Credential')?.split('/')[0];
  return accessKey ? { accessKey } : {};
}
