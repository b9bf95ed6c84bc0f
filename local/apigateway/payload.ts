import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/**
 * Payload format 2.0 both ways. In: the event API Gateway gives a function (headers lower-cased with repeats joined by
 * commas, cookies apart, query parameters decoded and joined the same way, the body as text or base64, the JWT
 * authorizer's claims and scopes). Out: the function's answer as HTTP (statusCode, headers, cookies, body,
 * isBase64Encoded), where an answer without statusCode is a 200 JSON body, as API Gateway assumes.
 */
export interface GatewayRequest {
  method: string;
  /** The path the function sees (with the stage for a named stage), still percent-encoded. */
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
}

export interface EventContext {
  routeKey: string;
  pathParameters: Record<string, string>;
  apiId: string;
  accountId: string;
  stage: string;
  requestId: string;
  authorizer?: { claims: Record<string, string>; scopes: string[] | null };
  /** Epoch milliseconds. */
  time: number;
}

export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** The content types API Gateway passes as text; any other body reaches the function base64-encoded. */
export function isTextType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    /^application\/(json|javascript|xml|x-www-form-urlencoded|graphql)$/.test(type) ||
    /\+(json|xml)$/.test(type)
  );
}

export function buildEvent(request: GatewayRequest, context: EventContext): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { cookie, ...rest } = request.headers;
  const headers = Object.fromEntries(Object.entries(rest).map(([name, values]) => [name, values.join(',')]));
  const cookies = (cookie ?? [])
    .flatMap((line) => line.split(';'))
    .map((part) => part.trim())
    .filter(Boolean);
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(request.rawQueryString)) (query[name] ??= []).push(value);
  const hasBody = request.body.length > 0;
  const text = isTextType(headers['content-type']);
  const host = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0
      ? { queryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.join(',')])) }
      : {}),
    ...(Object.keys(context.pathParameters).length > 0 ? { pathParameters: context.pathParameters } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.authorizer
        ? { authorizer: { principalId: '', integrationLatency: 0, jwt: context.authorizer } }
        : {}),
      domainName: host,
      domainPrefix: host.split('.')[0]?.split(':')[0] ?? host,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: context.stage,
      time: clfTime(context.time),
      timeEpoch: context.time,
    } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
    ...(hasBody ? { body: request.body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/** "12/Mar/2020:19:03:58 +0000", API Gateway's requestContext.time. */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

export class MalformedLambdaResponse extends Error {
  override readonly name = 'MalformedLambdaResponse';
}

/** The function's answer (its parsed JSON payload) as the HTTP answer API Gateway sends. */
export function mapResult(result: unknown): GatewayResponse {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body =
      result === null || result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result);
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const answer = result as {
    statusCode: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const status = Number(answer.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599)
    throw new MalformedLambdaResponse(`statusCode ${JSON.stringify(answer.statusCode)} is not an HTTP status`);
  if (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string')
    throw new MalformedLambdaResponse('body must be a string');
  if (answer.headers !== undefined && (typeof answer.headers !== 'object' || answer.headers === null))
    throw new MalformedLambdaResponse('headers must be an object');
  if (answer.cookies !== undefined && !Array.isArray(answer.cookies))
    throw new MalformedLambdaResponse('cookies must be a list');
  const headers = Object.fromEntries(
    Object.entries((answer.headers ?? {}) as Record<string, unknown>).map(([name, value]) => [
      name.toLowerCase(),
      String(value),
    ]),
  );
  const body = typeof answer.body === 'string' ? answer.body : '';
  return {
    status,
    headers,
    cookies: ((answer.cookies ?? []) as unknown[]).map(String),
    body: Buffer.from(body, answer.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}
