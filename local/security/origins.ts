import type { IncomingMessage } from 'node:http';

/**
 * Cross-site browser requests: a page of another site can make the developer's browser send requests to the local
 * stack (forms, images, fetch), so a request from a browser is served only when it comes from the stack's own origin
 * (where its web app is served) or, for a bucket, from an origin the template's CORS rules for that bucket name (the
 * template's `CorsAllowedOrigin`; "*" allows none more here). A request with an Origin header is checked against those;
 * one without (a form POST in some browsers, an <img>) is checked by its Sec-Fetch-Site: same-origin and none (typed
 * by the user) pass, cross-site and same-site are refused, except GET/HEAD of an image from a bucket (the web app
 * shows photos from a presigned URL whose host may be another loopback name of the same stack) and a top-level
 * navigation to a local page (`/_app/`, `/_auth/`). Clients that are not browsers send neither header.
 */
export interface OriginRules {
  own: Set<string>;
  /** Exact origins of each bucket's CORS rules. */
  bucketOrigins: Map<string, Set<string>>;
}

export interface RequestKind {
  /** The bucket, for an S3 request. */
  bucket?: string;
  /** A local-only page (`/_...`) that a link may open. */
  localPage: boolean;
}

export function originRules(own: Set<string>, buckets: { name: string; cors: { AllowedOrigins: string[] }[] }[]) {
  const bucketOrigins = new Map<string, Set<string>>();
  for (const bucket of buckets) {
    const exact = bucket.cors.flatMap((rule) => rule.AllowedOrigins).filter((origin) => !origin.includes('*'));
    bucketOrigins.set(bucket.name, new Set(exact.map((origin) => origin.toLowerCase())));
  }
  return { own, bucketOrigins };
}

/** Why a browser request is refused, or undefined. */
export function originRefusal(req: IncomingMessage, kind: RequestKind, rules: OriginRules): string | undefined {
  const origin = req.headers.origin;
  const allowed = [...rules.own].join(', ');
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    if (rules.own.has(lower) || (kind.bucket !== undefined && rules.bucketOrigins.get(kind.bucket)?.has(lower)))
      return undefined;
    return `Cross-origin request from ${origin.slice(0, 100)} refused: the local stack serves browsers on its own origin (${allowed}) only`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return undefined;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (read && kind.bucket !== undefined && req.headers['sec-fetch-dest'] === 'image') return undefined;
  if (read && kind.localPage && req.headers['sec-fetch-mode'] === 'navigate') return undefined;
  return `Cross-site request refused (Sec-Fetch-Site: ${site}): the local stack serves browsers on its own origin (${allowed}) only`;
}
