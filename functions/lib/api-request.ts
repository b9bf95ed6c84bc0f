import { BadRequest, Forbidden, PayloadTooLarge, Unauthorized } from './api-errors';

/**
 * One HTTP API request (payload format 2.0) as the routes see it. The caller is the `sub` claim the JWT authorizer
 * verified, read from `requestContext.authorizer.jwt.claims` and nowhere else: no header, path, query or body can
 * name a user.
 */
export interface ApiRequest {
  /** The token's `sub`: the `{userId}` folder of the caller's keys. */
  userId: string;
  routeKey: string;
  requestId: string;
  pathParameters: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  /** The body as text (base64 bodies decoded), or undefined when there is none. */
  body: string | undefined;
}

/** Bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

interface HttpApiEvent {
  version?: unknown;
  routeKey?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
  pathParameters?: unknown;
  queryStringParameters?: unknown;
  requestContext?: { requestId?: unknown; authorizer?: { jwt?: { claims?: unknown } } };
}

export function apiRequestOf(event: unknown): ApiRequest {
  const request = (event ?? {}) as HttpApiEvent;
  const claims = request.requestContext?.authorizer?.jwt?.claims as Record<string, unknown> | undefined;
  if (!claims || typeof claims.sub !== 'string') throw new Unauthorized('The request carries no verified token');
  if (claims.token_use !== 'access') throw new Forbidden('The API takes an access token, not an id token');
  if (!isUserFolder(claims.sub)) throw new Forbidden('The token subject cannot name a user folder');
  return {
    userId: claims.sub,
    routeKey: typeof request.routeKey === 'string' ? request.routeKey : '',
    requestId: typeof request.requestContext?.requestId === 'string' ? request.requestContext.requestId : '',
    pathParameters: stringRecord(request.pathParameters),
    query: stringRecord(request.queryStringParameters),
    body: bodyText(request),
  };
}

/** The body parsed as a JSON object holding only `allowed` fields (an unknown field is a mistake worth naming). */
export function jsonBody(request: ApiRequest, allowed: readonly string[]): Record<string, unknown> {
  if (request.body === undefined || request.body.trim() === '') throw new BadRequest('The request needs a JSON body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw new BadRequest('The body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequest('The body must be a JSON object');
  }
  const unknown = Object.keys(parsed).filter((field) => !allowed.includes(field));
  if (unknown.length > 0) throw new BadRequest(`Unknown field(s): ${unknown.join(', ')}`);
  return parsed as Record<string, unknown>;
}

/** The query parameters, refusing any the route does not know (a typo should not be silently ignored). */
export function queryOf(request: ApiRequest, allowed: readonly string[]): Readonly<Record<string, string>> {
  const unknown = Object.keys(request.query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw new BadRequest(`Unknown query parameter(s): ${unknown.join(', ')}`);
  return request.query;
}

/**
 * A user id becomes a key segment and the left part of `albumKey` (`{userId}/{albumId}`): it must not hold `/` (nor
 * `#`, refused since `#` was the separator), control characters, or be `.`/`..`. Cognito's `sub` is a UUID.
 */
function isUserFolder(sub: string): boolean {
  return sub.length > 0 && sub.length <= 128 && sub !== '.' && sub !== '..' && !/[/#\p{Cc}]/u.test(sub);
}

function bodyText(request: HttpApiEvent): string | undefined {
  if (typeof request.body !== 'string') return undefined;
  const bytes = request.isBase64Encoded === true ? Buffer.from(request.body, 'base64') : Buffer.from(request.body);
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLarge(`The body is ${bytes.byteLength} bytes; the API reads at most ${MAX_BODY_BYTES}`);
  }
  return bytes.toString('utf8');
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
