import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from '../gateway';
import { sendAwsJsonError } from '../http/respond';
import { FUNCTION_ACCESS_KEY } from '../lambda/environment';
import type { StackLog } from '../log';
import { routeOf } from '../mounts';
import { sendS3Error } from '../s3/s3-answers';
import type { FaultInjection, RequestFault } from './injection';

/**
 * Transient failures of the requests the stack's own functions make (signed with their access key), as AWS has them:
 * throttling and 5xx answers in each service's own shape (which the SDKs retry), a request held and then dropped
 * unanswered (a timeout: nothing was done), and an answer lost after the work was done (the connection drops once
 * the service has answered: the caller cannot know its write happened). Requests of anyone else pass untouched.
 */
export function withRequestFaults(handler: Handler, faults: FaultInjection, log: StackLog): Handler {
  return (req, res) => {
    if (accessKeyOf(req) !== FUNCTION_ACCESS_KEY) return handler(req, res);
    const route = routeOf(req);
    const fault = typeof route === 'string' ? faults.request(route) : undefined;
    if (!fault || typeof route !== 'string') return handler(req, res);
    log.line('faults', `${fault.kind} on ${route}: ${req.method} ${(req.url ?? '').slice(0, 120)}`);
    if (fault.kind === 'lostAnswer') return loseAnswer(req, res, handler);
    req.resume();
    if (fault.kind === 'timeout') {
      setTimeout(() => req.socket.destroy(), fault.holdMs);
      return;
    }
    answerError(route, fault, res);
  };
}

/** The access key of a SigV4 request (header or presigned query). */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const query = (req.url ?? '').split('?')[1];
  return query ? new URLSearchParams(query).get('X-Amz-Credential')?.split('/')[0] : undefined;
}

const ERRORS: Record<string, Record<'throttle' | 'serverError', { status: number; code: string }>> = {
  s3: { throttle: { status: 503, code: 'SlowDown' }, serverError: { status: 500, code: 'InternalError' } },
  dynamodb: {
    throttle: { status: 400, code: 'com.amazonaws.dynamodb.v20120810#ThrottlingException' },
    serverError: { status: 500, code: 'com.amazonaws.dynamodb.v20120810#InternalServerError' },
  },
  rekognition: {
    throttle: { status: 400, code: 'ThrottlingException' },
    serverError: { status: 500, code: 'InternalServerError' },
  },
  states: {
    throttle: { status: 400, code: 'ThrottlingException' },
    serverError: { status: 500, code: 'InternalFailure' },
  },
};

function answerError(route: string, fault: RequestFault, res: ServerResponse): void {
  const kind = fault.kind === 'throttle' ? 'throttle' : 'serverError';
  const error = ERRORS[route]?.[kind] ?? { status: 503, code: 'ServiceUnavailable' };
  const message = `Injected by the faults run (${fault.kind})`;
  if (route === 's3') sendS3Error(res, error.status, error.code, message);
  else sendAwsJsonError(res, error.status, error.code, message);
}

/** Lets the service do the work, swallows its answer and drops the connection once it has answered. */
function loseAnswer(req: IncomingMessage, res: ServerResponse, handler: Handler): void {
  const drop = () => {
    req.socket.destroy();
    return res;
  };
  Object.assign(res, {
    writeHead: () => res,
    setHeader: () => res,
    flushHeaders: () => undefined,
    write: () => true,
    end: drop,
  });
  handler(req, res);
}
