import type { CorsModel } from './http-api-model';

/**
 * An HTTP API's CORS configuration, applied as API Gateway does: it answers preflight requests itself (before routes
 * and authorizers, so a preflight needs no token), and on every other answer it sets the allow-origin, expose and
 * credentials headers in place of any CORS header the function returned. An origin not allowed gets no CORS header.
 */
export function allowedOrigin(cors: CorsModel, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  for (const allowed of cors.allowOrigins) {
    if (allowed === '*') return cors.allowCredentials ? origin : '*';
    if (allowed === origin) return origin;
    const wildcard = /^(https?:\/\/)\*\.(.+)$/.exec(allowed);
    if (wildcard && origin.startsWith(wildcard[1] as string) && origin.endsWith(`.${wildcard[2]}`)) return origin;
  }
  return undefined;
}

export function isPreflight(
  method: string | undefined,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  return method === 'OPTIONS' && !!headers.origin && !!headers['access-control-request-method'];
}

export function preflightHeaders(
  cors: CorsModel,
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const origin = allowedOrigin(cors, String(headers.origin ?? ''));
  if (!origin) return {};
  const requestedHeaders = String(headers['access-control-request-headers'] ?? '');
  const allowHeaders = cors.allowHeaders.includes('*') ? requestedHeaders : cors.allowHeaders.join(',');
  return {
    'access-control-allow-origin': origin,
    ...(cors.allowMethods.length > 0 ? { 'access-control-allow-methods': cors.allowMethods.join(',') } : {}),
    ...(allowHeaders ? { 'access-control-allow-headers': allowHeaders } : {}),
    ...(cors.maxAge !== undefined ? { 'access-control-max-age': String(cors.maxAge) } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(origin !== '*' ? { vary: 'Origin' } : {}),
  };
}

/** The CORS headers of an actual (not preflight) answer; the function's own CORS headers are to be dropped. */
export function responseCorsHeaders(cors: CorsModel, origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(cors, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(cors.exposeHeaders.length > 0 ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(allowed !== '*' ? { vary: 'Origin' } : {}),
  };
}
