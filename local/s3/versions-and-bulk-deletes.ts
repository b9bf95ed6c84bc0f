import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ObjectChange } from '../events/s3-object-events';
import { readBody } from '../http/respond';
import { messageOf, type StackLog } from '../log';
import type { HashedStore } from './hashed-store';

/**
 * Two things s3rver lacks that deleting photos needs, answered before the request reaches it:
 * - ListObjectVersions (`GET /{bucket}?versions`). The local S3 keeps no old versions: each object is its one,
 *   current version (its version id, or `null` for objects stored before version ids: ./object-versions.ts), with no
 *   delete markers. Deleting by a version id removes the object only while it is that version (./version-requests.ts).
 * - "Object Deleted" events for DeleteObjects (`POST /{bucket}?delete`: `aws s3 rm --recursive`, the console, batch
 *   deletes). s3rver deletes without an event; S3 sends one per removed key, so each key that existed before the
 *   request and is gone after it is reported, before the answer goes back.
 */
export interface VersionsAndBulkDeletes {
  /** Answers the request when it is one of the two (true); false leaves it to the proxy. */
  handle(req: IncomingMessage, res: ServerResponse, virtualHostBucket: string | undefined): boolean;
}

interface Context {
  port: number;
  client: S3Client;
  store: HashedStore;
  log: StackLog;
  onChange(change: ObjectChange): void;
}

export function versionsAndBulkDeletes(options: Context): VersionsAndBulkDeletes {
  return {
    handle(req, res, virtualHostBucket) {
      const url = new URL(req.url ?? '/', 'http://local');
      const segments = url.pathname.split('/').filter(Boolean);
      const bucket = virtualHostBucket ?? decodeURIComponent(segments[0] ?? '');
      const onBucket = bucket !== '' && segments.length === (virtualHostBucket ? 0 : 1);
      const work =
        onBucket && req.method === 'GET' && url.searchParams.has('versions')
          ? listVersions(options.store, res, bucket, url)
          : onBucket && req.method === 'POST' && url.searchParams.has('delete')
            ? deleteObjects(options, req, res, bucket, url)
            : undefined;
      if (!work) return false;
      work.catch((error: unknown) => {
        options.log.line('s3', `${req.method} ${url.search} failed: ${messageOf(error)}`);
        send(res, 500, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code></Error>');
      });
      return true;
    },
  };
}

async function listVersions(store: HashedStore, res: ServerResponse, bucket: string, url: URL): Promise<void> {
  const prefix = url.searchParams.get('prefix') ?? '';
  const keyMarker = url.searchParams.get('key-marker') ?? '';
  const maxKeys = Math.min(1000, Math.max(1, Number(url.searchParams.get('max-keys') ?? 1000) || 1000));
  const page = store.list(bucket, { prefix, maxKeys, ...(keyMarker ? { startAfter: keyMarker } : {}) });
  const objects = await store.describe(bucket, page.keys);
  const last = page.keys.at(-1);
  const truncated = page.isTruncated && last !== undefined;
  const versions = objects.map(
    (object) =>
      `<Version><Key>${xml(object.key)}</Key><VersionId>${xml(object.versionId)}</VersionId><IsLatest>true</IsLatest>` +
      `<LastModified>${object.lastModified.toISOString()}</LastModified>` +
      `<ETag>${xml(object.etag)}</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Version>`,
  );
  send(
    res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyMarker>${xml(keyMarker)}</KeyMarker>` +
      `<VersionIdMarker></VersionIdMarker><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextKeyMarker>${xml(last)}</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>` : '') +
      `${versions.join('')}</ListVersionsResult>`,
  );
}

async function deleteObjects(
  context: Context,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  url: URL,
): Promise<void> {
  const exists = (key: string) =>
    context.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );
  const body = await readBody(req);
  const keys = keysOf(body.toString('utf8'));
  const existed = await Promise.all(keys.map(exists));
  const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${context.port}` };
  headers['content-length'] = String(body.length);
  delete headers['transfer-encoding'];
  // s3rver knows only its own access key (signatures are not checked): the request is forwarded under it.
  if (headers.authorization)
    headers.authorization = headers.authorization.replace(/Credential=[^/]+\//, 'Credential=S3RVER/');
  const answer = await new Promise<{ status: number; headers: string[]; body: Buffer }>((resolve, reject) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: context.port, method: 'POST', path: `/${bucket}${url.search}`, headers },
      (reply) =>
        void readBody(reply).then(
          (text) => resolve({ status: reply.statusCode ?? 502, headers: reply.rawHeaders, body: text }),
          reject,
        ),
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
  if (answer.status === 200) {
    for (const [index, key] of keys.entries()) {
      if (existed[index] && !(await exists(key))) {
        context.onChange({ kind: 'deleted', bucket, key, reason: 'DeleteObject', time: new Date() });
      }
    }
  }
  res.writeHead(answer.status, answer.headers as unknown as http.OutgoingHttpHeaders);
  res.end(answer.body);
}

/** The keys of a `<Delete><Object><Key>…</Key>…</Object></Delete>` document, XML-unescaped. */
export function keysOf(document: string): string[] {
  return [...document.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((match) =>
    (match[1] ?? '')
      .replace(/&#x([0-9a-f]+);/gi, (_whole, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
      .replace(/&#(\d+);/g, (_whole, decimal: string) => String.fromCodePoint(Number(decimal)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
