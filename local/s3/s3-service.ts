import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account';
import { clientOptions } from '../../functions/lib/aws/client-options';
import type { ObjectChange } from '../events/s3-object-events';
import { messageOf, type StackLog } from '../log';
import type { BucketModel, CorsRule } from '../stack-model';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked';
import { handlePostObject, isPostObject } from './post-object';
import { versionsAndBulkDeletes } from './versions-and-bulk-deletes';

/**
 * S3 is s3rver, listening on an internal port; the gateway proxies to it. What s3rver lacks is done here, on the
 * way in: virtual-hosted requests (bucket.localhost) become path-style, aws-chunked bodies (SDK checksums, newer
 * CLIs) are decoded so objects are stored as sent, and any access key is accepted (s3rver knows only its own).
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
  mkdirSync(options.directory, { recursive: true });
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
  // s3rver reports every S3 error answer (NoSuchKey, ...) here too; only its own failures are news.
  server.on('error', (error) => {
    const status = (error as { status?: number }).status;
    if (status === undefined || status >= 500) options.log.line('s3', messageOf(error));
  });
  server.on('event', (event) => {
    for (const record of event.Records ?? []) {
      const change = changeOf(record);
      if (change) options.onChange(change);
    }
  });
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

  const extras = versionsAndBulkDeletes({ port: address.port, client, log: options.log, onChange: options.onChange });

  return {
    internalEndpoint,
    handle(req, res) {
      if (extras.handle(req, res, virtualHostBucket(req.headers.host))) return;
      const postBucket = isPostObject(
        req,
        virtualHostBucket(req.headers.host) ? `/${virtualHostBucket(req.headers.host)}` : (req.url ?? '/'),
      );
      if (postBucket) {
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
        return;
      }
      void proxy(req, res, address.port, options.log, wildcardOrigins);
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

/** <bucket>.localhost[:port] -> the bucket; path-style and IP hosts -> undefined. */
export function virtualHostBucket(host: string | undefined): string | undefined {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const match = /^(.+)\.localhost$/.exec(hostname);
  return match?.[1];
}

function accessKeyOf(req: IncomingMessage, url: URL): string | undefined {
  const credential =
    /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ??
    url.searchParams.get('X-Amz-Credential')?.split('/')[0];
  return (
    credential ||
    /^AWS ([^:]+):/.exec(req.headers.authorization ?? '')?.[1] ||
    url.searchParams.get('AWSAccessKeyId') ||
    undefined
  );
}

async function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  log: StackLog,
  wildcardOrigins: Set<string>,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://local');
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    const bucket = virtualHostBucket(req.headers.host);
    let path = req.url ?? '/';
    if (bucket) {
      path = `/${bucket}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
      headers.host = `localhost:${port}`;
    }
    const accessKey = accessKeyOf(req, url);
    if (accessKey && !AWSAccount.registry.has(accessKey)) AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, accessKey);

    let body: Buffer | undefined;
    if (isAwsChunked(req.headers)) {
      body = await decodeAwsChunked(req);
      headers['content-length'] = String(body.length);
      delete headers['transfer-encoding'];
      delete headers['x-amz-decoded-content-length'];
      delete headers['x-amz-trailer'];
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      const encodings = String(headers['content-encoding'] ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part && part !== 'aws-chunked');
      if (encodings.length > 0) headers['content-encoding'] = encodings.join(',');
      else delete headers['content-encoding'];
    }

    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path, headers }, (answer) => {
      // s3rver answers every allowed preflight with "*"; S3 echoes the origin unless the rule allows any.
      const origin = req.headers.origin;
      if (
        req.method === 'OPTIONS' &&
        origin &&
        answer.headers['access-control-allow-origin'] === '*' &&
        !wildcardOrigins.has(path.split('/')[1] ?? '')
      ) {
        const raw = answer.rawHeaders;
        for (let i = 0; i < raw.length; i += 2)
          if (raw[i]?.toLowerCase() === 'access-control-allow-origin') raw[i + 1] = origin;
      }
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders as unknown as http.OutgoingHttpHeaders);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      log.line('s3', `proxy error: ${messageOf(error)}`);
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>The local S3 is not answering</Message></Error>',
        );
      } else res.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  } catch (error) {
    log.line('s3', `bad request: ${messageOf(error)}`);
    if (!res.headersSent) {
      res.writeHead(400, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>${String((error as Error).message).replace(/[<&>]/g, '')}</Message></Error>`,
      );
    }
  }
}
