import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf, type StackLog } from '../log';
import { parseJsonBody, readBody, sendAwsJsonError, sendJson, ServiceError } from './respond';

/**
 * AWS's JSON protocol (X-Amz-Target <Service>.<Operation>, a JSON object in, a JSON object or a typed error out) in
 * front of a service that takes the operation and the parsed body.
 */
export interface JsonService {
  /** body = the parsed JSON request; answers the JSON result or throws a ServiceError. */
  call(operation: string, body: Record<string, unknown>): Promise<unknown>;
  contentType: string;
}

export function serveJson(
  req: IncomingMessage,
  res: ServerResponse,
  service: JsonService,
  log: StackLog,
  source: string,
): void {
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.slice(target.indexOf('.') + 1);
  void (async () => {
    try {
      const body = parseJsonBody(await readBody(req));
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new ServiceError('SerializationException', 'The request body must be a JSON object');
      const result = await service.call(operation, body as Record<string, unknown>);
      sendJson(res, 200, result ?? {}, service.contentType);
    } catch (error) {
      if (error instanceof ServiceError) {
        sendAwsJsonError(res, error.status, error.type, error.message, service.contentType);
        return;
      }
      log.line(source, `${operation} failed: ${messageOf(error)}`);
      sendAwsJsonError(
        res,
        500,
        'InternalFailure',
        `The local ${source} failed: ${messageOf(error)}`,
        service.contentType,
      );
    }
  })();
}
