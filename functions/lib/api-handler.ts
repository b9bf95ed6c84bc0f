import type { Context } from 'aws-lambda';
import { ApiError } from './api-errors';
import { apiRequestOf, type ApiRequest } from './api-request';
import { TransientError } from './errors';
import { logger } from './logger';

/** What a route answers: a status and a JSON body (none for 204). */
export interface ApiResponse {
  status: number;
  body?: unknown;
}

/** The payload format 2.0 result API Gateway turns into the HTTP response. */
export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The shape every API route shares (as stepHandler is for the workflow's steps): read the caller and the request,
 * put the route, caller and request id on every log line, answer typed errors with their status and
 * `{"error","message"}`, a transient AWS failure with 503, anything else with 500 and one error log line.
 */
export function apiHandler(route: string, run: (request: ApiRequest) => Promise<ApiResponse>) {
  return async (event: unknown, context?: Context): Promise<HttpResult> => {
    if (context) logger.addContext(context);
    logger.resetKeys();
    logger.appendKeys({ route });
    let requestId = '';
    try {
      const request = apiRequestOf(event);
      requestId = request.requestId;
      logger.appendKeys({ userId: request.userId, requestId });
      const response = await run(request);
      logger.info('Request answered', { status: response.status });
      return httpResult(response.status, response.body);
    } catch (error) {
      return errorResult(error, requestId);
    }
  };
}

function errorResult(error: unknown, requestId: string): HttpResult {
  if (error instanceof ApiError) {
    logger.info('Request refused', { status: error.status, errorName: error.name, reason: error.message });
    return httpResult(error.status, { error: error.name, message: error.message });
  }
  if (error instanceof TransientError) {
    logger.warn('Request failed transiently', { status: 503, error });
    return httpResult(
      503,
      { error: 'ServiceUnavailable', message: 'The service is busy; try again in a moment' },
      { 'retry-after': '1' },
    );
  }
  logger.error('Request failed', { status: 500, errorName: (error as Error | undefined)?.name, error: error as Error });
  const reference = requestId ? ` (request id ${requestId})` : '';
  return httpResult(500, { error: 'InternalError', message: `The request failed${reference}` });
}

function httpResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  const common = { 'cache-control': 'no-store', ...headers };
  if (body === undefined) return { statusCode, headers: common };
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...common },
    body: JSON.stringify(body),
  };
}
