import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTVerifyGetKey } from 'jose';
import { readBodyWithin } from '../http/limited-body';
import type { InvokeOutcome } from '../lambda/outcome';
import { isPreflight, preflightHeaders, responseCorsHeaders } from './cors';
import type { HttpApiModel, RouteModel } from './http-api-model';
import { authorizeJwt } from './jwt-authorizer';
import { buildEvent, mapResult, type GatewayResponse } from './payload';
import { matchRoute } from './routes';
import { RouteThrottle } from './throttle';

/**
 * The template's HTTP API on the local endpoint, doing what API Gateway does before and after a function: CORS
 * preflights, route selection, throttling, the JWT authorizer, the body limit, the payload 2.0 event, the call through
 * the local Lambda runtime (the path Step Functions uses) and the mapping of the answer. Its own answers are API
 * Gateway's: {"message": "Not Found" | "Unauthorized" | "Forbidden" | "Too Many Requests" | ...}.
 */
export interface HttpApiOptions {
  api: HttpApiModel;
  /** Where the API is mounted on the endpoint, e.g. /_api. */
  mount: string;
  accountId: string;
  invoke(functionName: string, event: unknown): Promise<InvokeOutcome>;
  /** The JWKS of the authorizers' issuer (the local provider). */
  keys: JWTVerifyGetKey;
  log(line: string): void;
  /** Largest request body; API Gateway's is 10 MB. */
  maxBodyBytes?: number;
}

const MAX_BODY = 10 * 1024 * 1024;

export function createHttpApi(options: HttpApiOptions) {
  const { api, log } = options;
  const throttle = new RouteThrottle();
  const stagePrefix = api.stage === '$default' ? '' : `/${api.stage}`;

  async function serve(req: IncomingMessage, requestId: string): Promise<GatewayResponse> {
    const url = new URL(req.url ?? '/', 'http://local');
    const rawPath = url.pathname.slice(options.mount.length) || '/';
    if (stagePrefix && rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`))
      return message(404, 'Not Found');
    const method = req.method ?? 'GET';
    const match = matchRoute(api.routes, method, rawPath.slice(stagePrefix.length) || '/');
    if (!match) return message(404, 'Not Found');
    const { route } = match;
    if (!throttle.take(route.routeKey, route.throttle)) return message(429, 'Too Many Requests');
    const authorizer = await authorize(route, req, options);
    if (!authorizer.ok) return message(authorizer.status, authorizer.message);
    const body = await readBodyWithin(req, options.maxBodyBytes ?? MAX_BODY);
    if (!body) return message(413, 'Request Entity Too Large');
    const event = buildEvent(
      {
        method,
        rawPath,
        rawQueryString: url.search.slice(1),
        headers: req.headersDistinct as Record<string, string[]>,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      },
      {
        routeKey: route.routeKey,
        pathParameters: match.pathParameters,
        apiId: api.apiId,
        accountId: options.accountId,
        stage: api.stage,
        requestId,
        time: Date.now(),
        ...(authorizer.claims ? { authorizer: { claims: authorizer.claims, scopes: authorizer.scopes } } : {}),
      },
    );
    return integrate(route, event, options);
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse): void {
      const requestId = randomUUID();
      const started = performance.now();
      const origin = req.headers.origin;
      if (api.cors && isPreflight(req.method, req.headers)) {
        res.writeHead(204, { ...preflightHeaders(api.cors, req.headers), 'apigw-requestid': requestId });
        res.end();
        return;
      }
      serve(req, requestId)
        .catch((error: unknown) => {
          log(`${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
          return message(500, 'Internal Server Error');
        })
        .then((answer) => {
          const cors = api.cors ? responseCorsHeaders(api.cors, origin) : {};
          send(res, answer, { ...cors, 'apigw-requestid': requestId }, !!api.cors);
          log(`${req.method} ${req.url} ${answer.status} ${Math.round(performance.now() - started)} ms`);
        });
    },
  };
}

async function authorize(route: RouteModel, req: IncomingMessage, options: HttpApiOptions) {
  if (!route.authorizer) return { ok: true as const, claims: undefined, scopes: null };
  const { issuer, audience, header } = route.authorizer;
  const identity = req.headersDistinct[header]?.[0];
  const result = await authorizeJwt(identity, { issuer, audience, keys: options.keys, scopes: route.scopes });
  if (!result.ok) options.log(`${route.routeKey}: ${result.status} (${result.reason})`);
  return result;
}

async function integrate(route: RouteModel, event: unknown, options: HttpApiOptions): Promise<GatewayResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), route.timeoutMs)));
  const outcome = await Promise.race([options.invoke(route.functionName, event), timeout]).finally(() =>
    clearTimeout(timer),
  );
  if (outcome === 'timeout') {
    options.log(`${route.routeKey}: ${route.functionName} did not answer within ${route.timeoutMs} ms`);
    return message(503, 'Service Unavailable');
  }
  if (!outcome.ok) {
    options.log(
      `${route.routeKey}: ${route.functionName} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
    );
    return message(500, 'Internal Server Error');
  }
  try {
    return mapResult(JSON.parse(outcome.payload));
  } catch (error) {
    options.log(`${route.routeKey}: ${route.functionName} answered a malformed response: ${(error as Error).message}`);
    return message(500, 'Internal Server Error');
  }
}

function message(status: number, text: string): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

function send(res: ServerResponse, answer: GatewayResponse, extra: Record<string, string>, dropCors: boolean) {
  if (res.headersSent) return res.end();
  const headers = Object.entries(answer.headers).filter(
    ([name]) => name !== 'content-length' && !(dropCors && name.startsWith('access-control-')),
  );
  const pairs = [
    ...headers,
    ...Object.entries(extra),
    ...answer.cookies.map((cookie) => ['set-cookie', cookie]),
    ['content-length', String(answer.body.length)],
  ];
  // A flat [name, value, name, value, ...] list keeps repeated headers (one Set-Cookie per cookie).
  res.writeHead(answer.status, pairs.flat());
  res.end(answer.body);
}
