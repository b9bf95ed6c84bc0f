import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, Mount } from '../gateway';
import { routeIn } from '../gateway';
import { sendAwsJsonError } from '../http/respond';
import type { StackLog } from '../log';
import { sendS3Error } from '../s3/s3-answers';
import { virtualHostBucket } from '../s3/s3-target';
import { allowedHosts, hostRefusal, ownOrigins } from './hosts';
import { exactOrigins, originRefusal, type RequestKind } from './origins';
import { s3SignatureRefusal, sigv4Refusal } from './signatures';

/**
 * What stands before every mount of the stack's endpoint, so a stack left running while its developer browses the
 * web answers only its own clients: the Host must name this stack (./hosts.ts, against DNS rebinding), a browser
 * request must come from the stack's own origin (./origins.ts, against cross-site requests and forms), and an AWS
 * API request must be signed (./signatures.ts). A refusal is a 403 saying which rule refused it, as S3's XML
 * AccessDenied for S3 and as AWS JSON elsewhere; every answer carries `X-Content-Type-Options: nosniff`.
 *
 * Which signature a mount needs is its `signing`: 's3' (header, presigned URL or POST policy), 'sigv4' (header; the
 * default for AWS APIs) or 'none', the default for local-only paths (`/_...`: the web app, the health check, and
 * pages and APIs that bring their own tokens).
 */
export interface GuardOptions<Context> {
  mounts: readonly Mount<Context>[];
  /** What the mounts' corsOrigins read (the running services). */
  context: Context;
  port: number;
  bindHost: string;
  allowedHosts: readonly string[];
  buckets: { name: string; cors: { AllowedOrigins: string[] }[] }[];
  log: StackLog;
  now?: () => Date;
}

interface Refusal {
  code: string;
  message: string;
}

export function guarded<Context>(handler: Handler, options: GuardOptions<Context>): Handler {
  const mounts = options.mounts as readonly Mount<never>[];
  const hosts = allowedHosts(options.port, options.bindHost, options.allowedHosts);
  const own = ownOrigins(hosts);
  const bucketOrigins = new Map(
    options.buckets.map((bucket) => [bucket.name, exactOrigins(bucket.cors.flatMap((rule) => rule.AllowedOrigins))]),
  );
  const mountOrigins = new Map(
    options.mounts.flatMap((mount) =>
      mount.corsOrigins ? [[mount.route, exactOrigins(mount.corsOrigins(options.context))]] : [],
    ),
  );
  const now = options.now ?? (() => new Date());
  return (req, res) => {
    addOnWrite(res, 'x-content-type-options', 'nosniff');
    const { route, signing } = signingOf(req, mounts);
    const refusal = refusalOf(req, route, signing);
    if (!refusal) return handler(req, res);
    options.log.line('guard', `refused ${req.method} ${(req.url ?? '').slice(0, 200)}: ${refusal.message}`);
    req.resume();
    res.setHeader('connection', 'close');
    if (signing === 's3') sendS3Error(res, 403, 'AccessDenied', refusal.message);
    else sendAwsJsonError(res, 403, refusal.code, refusal.message, 'application/json');
  };

  function refusalOf(req: IncomingMessage, route: string | undefined, signing: Signing): Refusal | undefined {
    const host = hostRefusal(req.headers.host, hosts);
    if (host) return { code: 'ForbiddenException', message: host };
    const corsOrigins = signing === 's3' ? bucketOrigins.get(bucketOf(req) ?? '') : mountOrigins.get(route ?? '');
    const kind: RequestKind = {
      ...(corsOrigins ? { corsOrigins } : {}),
      s3: signing === 's3',
      localPage: signing === 'none',
    };
    const origin = originRefusal(req, kind, own);
    if (origin) return { code: 'AccessDeniedException', message: origin };
    const signature =
      signing === 's3'
        ? s3SignatureRefusal(req, isBucketPostForm(req), now())
        : signing === 'sigv4'
          ? sigv4Refusal(req)
          : undefined;
    return signature ? { code: 'MissingAuthenticationTokenException', message: signature } : undefined;
  }
}

type Signing = 's3' | 'sigv4' | 'none';

function signingOf(req: IncomingMessage, mounts: readonly Mount<never>[]): { route?: string; signing: Signing } {
  const route = routeIn(mounts, req);
  const mount = typeof route === 'string' ? mounts.find((candidate) => candidate.route === route) : undefined;
  // A request no mount takes is answered 400 by the gateway, unsigned or not.
  if (!mount) return { signing: 'none' };
  return { route: mount.route, signing: mount.signing ?? (mount.path?.startsWith('/_') ? 'none' : 'sigv4') };
}

function bucketOf(req: IncomingMessage): string | undefined {
  const fromHost = virtualHostBucket(req.headers.host);
  if (fromHost) return fromHost;
  const first = /^\/([^/?]+)/.exec(req.url ?? '')?.[1];
  try {
    return first === undefined ? undefined : decodeURIComponent(first);
  } catch {
    return undefined;
  }
}

/** A browser-based upload (POST of a form to a bucket): S3 reads its signature from the form's policy. */
function isBucketPostForm(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return false;
  const path = (req.url ?? '').split('?')[0] ?? '';
  return virtualHostBucket(req.headers.host) ? path === '/' : /^\/[^/]+\/?$/.test(path);
}

/**
 * Adds a header to whatever the handler answers. setHeader beforehand would do, but Node then applies a writeHead
 * given raw headers one setHeader at a time, which keeps only the last of repeated ones (two Set-Cookie).
 */
function addOnWrite(res: ServerResponse, name: string, value: string): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.at(-1);
    if (Array.isArray(headers)) {
      const raw = headers.flat() as string[];
      const names = raw.filter((_entry, index) => index % 2 === 0).map((entry) => String(entry).toLowerCase());
      if (!names.includes(name)) rest[rest.length - 1] = [...raw, name, value];
    } else if (headers && typeof headers === 'object') {
      const present = Object.keys(headers).some((key) => key.toLowerCase() === name);
      if (!present) rest[rest.length - 1] = { ...headers, [name]: value };
    } else if (!res.hasHeader(name)) res.setHeader(name, value);
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}
