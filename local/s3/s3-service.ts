import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import S3rver from 's3rver';
import { clientOptions } from '../../functions/lib/aws/client-options';
import type { ObjectChange } from '../events/s3-object-events';
import { messageOf, type StackLog } from '../log';
import type { BucketModel, CorsRule } from '../stack-model';
import { handlePostObject, isPostObject } from './post-object';
import { proxyS3 } from './s3-proxy';
import { virtualHostBucket } from './s3-target';
import { openStore } from './store-layout';
import { versionsAndBulkDeletes } from './versions-and-bulk-deletes';
import type { HashedStore } from './hashed-store';

export { virtualHostBucket };

/**
 * S3 is s3rver, listening on an internal port, over the local stack's own store (./hashed-store.ts: keys are names,
 * never paths); the gateway proxies to it through ./s3-proxy.ts, which does what s3rver lacks on the way in:
 * listings in S3's order, virtual-hosted requests (bucket.localhost) made path-style, aws-chunked bodies (SDK
 * checksums, newer CLIs) decoded so objects are stored as sent, any access key accepted (s3rver knows only its own).
 */
export interface S3Service {
  /** The internal s3rver URL (path-style, S3RVER credentials). */
  readonly internalEndpoint: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
  readObject(bucket: string, key: string, versionId?: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface S3ServiceOptions {
  directory: string;
  buckets: BucketModel[];
  region: string;
  log: StackLog;
  onChange(change: ObjectChange): void;
}

const INTERNAL_KEY = 'S3RVER';

export async function startS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const store = await openStore(options.directory, (line) => options.log.line('s3', line));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((bucket) => ({
      name: bucket.name,
      ...(bucket.cors.length > 0 ? { configs: [corsXml(bucket.cors)] } : {}),
    })),
  });
  server.store = server.context.store = store;
  // s3rver reports every S3 error answer (NoSuchKey, ...) here too; only its own failures are news.
  server.on('error', (error) => {
    const status = (error as { status?: number }).status;
    if (status === undefined || status >= 500) options.log.line('s3', messageOf(error));
  });
  server.on('event', (event) => reportChanges(event.Records ?? [], store, options.onChange));
  const address = await server.run();
  const wildcardOrigins = new Set(
    options.buckets
      .filter((bucket) => bucket.cors.some((rule) => rule.AllowedOrigins.includes('*')))
      .map((bucket) => bucket.name),
  );
  const internalEndpoint = `http://127.0.0.1:${address.port}`;
  const corsOrigins = new Map(
    options.buckets.map((bucket) => [bucket.name, bucket.cors.flatMap((rule) => rule.AllowedOrigins)]),
  );
  const client = new S3Client({
    ...clientOptions,
    endpoint: internalEndpoint,
    forcePathStyle: true,
    region: options.region,
    credentials: { accessKeyId: INTERNAL_KEY, secretAccessKey: INTERNAL_KEY },
  });

  const extras = versionsAndBulkDeletes({
    port: address.port,
    client,
    store,
    log: options.log,
    onChange: options.onChange,
  });

  const proxyContext = { port: address.port, log: options.log, store, wildcardOrigins, onChange: options.onChange };
  return {
    internalEndpoint,
    handle(req, res) {
      const hostBucket = virtualHostBucket(req.headers.host);
      if (extras.handle(req, res, hostBucket)) return;
      // The path without its query: a form POSTed to /bucket?anything is a browser upload all the same.
      const postBucket = isPostObject(req, hostBucket ? `/${hostBucket}` : ((req.url ?? '/').split('?')[0] ?? '/'));
      if (!postBucket) return proxyS3(req, res, proxyContext);
      const log = (line: string) => options.log.line('s3', line);
      handlePostObject(req, res, {
        bucket: postBucket,
        internalPort: address.port,
        log,
        allowedOrigins: corsOrigins.get(postBucket) ?? [],
      }).catch((error: unknown) => {
        log(`POST ${postBucket} failed: ${messageOf(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
    async readObject(bucket, key, versionId) {
      const response = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
    },
    async close() {
      client.destroy();
      await server.close().catch(() => undefined);
    },
  };
}

/** s3rver's events as changes; a created object's carries the version id its write was given. */
function reportChanges(
  records: Parameters<typeof changeOf>[0][],
  store: HashedStore,
  onChange: (change: ObjectChange) => void,
): void {
  for (const record of records) {
    const change = changeOf(record);
    if (!change) continue;
    const versionId = change.kind === 'created' ? store.latestVersion(change.bucket, change.key) : undefined;
    onChange(versionId ? { ...change, versionId } : change);
  }
}

function changeOf(record: {
  eventName: string;
  eventTime: string;
  requestParameters?: { sourceIPAddress?: string };
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}): ObjectChange | undefined {
  const reasons: Record<string, string> = {
    'ObjectCreated:Put': 'PutObject',
    'ObjectCreated:Copy': 'CopyObject',
    'ObjectCreated:Post': 'CompleteMultipartUpload',
    'ObjectRemoved:Delete': 'DeleteObject',
  };
  const reason = reasons[record.eventName];
  if (!reason) return undefined;
  return {
    kind: record.eventName.startsWith('ObjectCreated') ? 'created' : 'deleted',
    bucket: record.s3.bucket.name,
    key: record.s3.object.key,
    ...(record.s3.object.size !== undefined ? { size: record.s3.object.size } : {}),
    ...(record.s3.object.eTag ? { etag: record.s3.object.eTag } : {}),
    reason,
    ...(record.requestParameters?.sourceIPAddress
      ? { sourceIp: record.requestParameters.sourceIPAddress.replace(/^::ffff:/, '') }
      : {}),
    time: new Date(record.eventTime),
  };
}

/** The template's CorsConfiguration as the XML PutBucketCors takes. */
export function corsXml(rules: CorsRule[]): string {
  const escape = (text: unknown) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const list = (tag: string, values: unknown[] | undefined) =>
    (values ?? []).map((value) => `<${tag}>${escape(value)}</${tag}>`).join('');
  const body = rules
    .map(
      (rule) =>
        `<CORSRule>${list('AllowedOrigin', rule.AllowedOrigins)}${list('AllowedMethod', rule.AllowedMethods)}${list('AllowedHeader', rule.AllowedHeaders)}` +
        `${list('ExposeHeader', rule.ExposedHeaders)}${rule.MaxAge !== undefined ? `<MaxAgeSeconds>${escape(rule.MaxAge)}</MaxAgeSeconds>` : ''}</CORSRule>`,
    )
    .join('');
  return `<CORSConfiguration>${body}</CORSConfiguration>`;
}
