import type { IncomingMessage } from 'node:http';

/**
 * Cross-site browser requests: a page of another site can make the developer's browser send requests to the local
 * stack (forms, images, fetch), so a request from a browser is served only when it comes from the stack's own origin
 * (where its web app is served) or from an origin the template's CORS rules for what it addresses name exactly (a
 * bucket's `CorsConfiguration`, the HTTP API's; "*" allows none more here). A request with an Origin header is checked
 * against those; one without (a form POST in some browsers, an <img>) by its Sec-Fetch-Site: same-origin and none
 * (typed by the user) pass, cross-site and same-site are refused, except GET/HEAD of an image from a bucket (the web
 * app shows photos from a presigned URL whose host may be another loopback name of the same stack) and a top-level
 * navigation to a local page (`/_app/`, `/_auth/`). Clients that are not browsers send neither header.
 */
export interface RequestKind {
  /** Origins the CORS rules of what the request addresses allow (a bucket's, the HTTP API's). */
  corsOrigins?: ReadonlySet<string>;
  /** An S3 request: an <img> may read an object. */
  s3: boolean;
  /** A local-only page (`/_...`) that a link may open. */
  localPage: boolean;
}

/** The origins of CORS rules that name one exactly (lower case); wildcards add none. */
export function exactOrigins(origins: readonly string[]): Set<string> {
  return new Set(origins.filter((origin) => !origin.includes('*')).map((origin) => origin.toLowerCase()));
}

/** Why a browser request is refused, or undefined. */
export function originRefusal(req: IncomingMessage, kind: RequestKind, own: ReadonlySet<string>): string | undefined {
  const origin = req.headers.origin;
  const allowed = [...own].join(', ');
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    if (own.has(lower) || kind.corsOrigins?.has(lower)) return undefined;
    return `Cross-origin request from ${origin.slice(0, 100)} refused: the local stack serves browsers on its own origin (${allowed}) only`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== 'cross-site' && site !== 'same-site') return undefined;
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (read && kind.s3 && req.headers['sec-fetch-dest'] === 'image') return undefined;
  if (read && kind.localPage && req.headers['sec-fetch-mode'] === 'navigate') return undefined;
  return `Cross-site request refused (Sec-Fetch-Site: ${site}): the local stack serves browsers on its own origin (${allowed}) only`;
}
