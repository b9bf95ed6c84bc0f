import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf, type StackLog } from './log';
import { sendAwsJsonError } from './http/respond';

/**
 * One endpoint for every service, the way AWS_ENDPOINT_URL expects. Each request goes to one mount of a table
 * (the stack's is ./mounts.ts): by X-Amz-Target prefix when the request has one (JSON-protocol services), else by
 * path (a mount takes its path and everything under it), else by the service a SigV4 request was signed for; an
 * unsigned request counts as signed for S3. What matches nothing gets a 400 naming what is served.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Mount<Context> {
  /** The route's name, for logs and tests. */
  route: string;
  /** Takes requests whose X-Amz-Target starts with this. */
  target?: string;
  /** Takes requests for this path and everything under it. */
  path?: string;
  /** Takes requests signed for this service ('s3' also takes unsigned ones). */
  signedFor?: string;
  /** The signature its requests need (local/security/request-guard.ts); default 'none' under `/_`, else 'sigv4'. */
  signing?: 's3' | 'sigv4' | 'none';
  /** Origins its own CORS rules allow (the HTTP API's), which the guard lets browsers call it from. */
  corsOrigins?(context: Context): string[];
  /** How the 400 for an unknown request names this mount among what is served (unlisted when absent). */
  serves?: string;
  /** Builds the mount's handler once the stack's services run. */
  handler(context: Context): Handler;
}

export type Route = string | { unknown: string };

/** The service a SigV4 request was signed for (header or presigned query), if any. */
export function signedService(req: IncomingMessage): string | undefined {
  const fromHeader = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const query = (req.url ?? '').split('?')[1];
  const credential = query ? new URLSearchParams(query).get('X-Amz-Credential') : null;
  return credential?.split('/')[3];
}

export function routeIn(mounts: readonly Mount<never>[], req: IncomingMessage): Route {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target !== '') {
    const found = mounts.find((mount) => mount.target !== undefined && target.startsWith(mount.target));
    return found ? found.route : { unknown: `X-Amz-Target ${target}` };
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const byPath = mounts.find(
    (mount) => mount.path !== undefined && (path === mount.path || path.startsWith(`${mount.path}/`)),
  );
  if (byPath) return byPath.route;
  const service = signedService(req) ?? 's3';
  return mounts.find((mount) => mount.signedFor === service)?.route ?? { unknown: `the ${service} API` };
}

/** The endpoint's request handler: each request to its mount's handler, errors as AWS-shaped JSON. */
export function createGateway<Context>(mounts: readonly Mount<Context>[], context: Context, log: StackLog): Handler {
  const handlers = new Map(mounts.map((mount) => [mount.route, mount.handler(context)]));
  return (req, res) => {
    try {
      const route = routeIn(mounts as readonly Mount<never>[], req);
      const handle = typeof route === 'string' ? handlers.get(route) : undefined;
      if (handle) return handle(req, res);
      unknownService(mounts, res, typeof route === 'string' ? route : route.unknown);
    } catch (error) {
      log.line('stack', `request failed: ${messageOf(error)}`);
      sendAwsJsonError(res, 500, 'InternalFailure', messageOf(error), 'application/json');
    }
  };
}

export function unknownService(mounts: readonly Mount<never>[], res: ServerResponse, what: string): void {
  const served = mounts.flatMap((mount) => (mount.serves ? [mount.serves] : []));
  const list = served.length > 1 ? `${served.slice(0, -1).join(', ')} and ${served.at(-1)}` : (served[0] ?? 'nothing');
  sendAwsJsonError(
    res,
    400,
    'UnknownOperationException',
    `The local stack does not serve ${what}. It serves ${list}.`,
    'application/json',
  );
}
