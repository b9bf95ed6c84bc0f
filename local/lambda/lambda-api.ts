import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf, type StackLog } from '../log';
import { readBody, sendJson } from '../http/respond';
import type { LambdaRuntime } from './runtime';

/**
 * The Lambda API's invoke and read operations (REST, /2015-03-31/functions/...), so `aws lambda invoke` and
 * LambdaClient reach the template's functions: RequestResponse answers the payload or the function error with
 * X-Amz-Function-Error, Event answers 202 and runs in the background (through `invokeAsync`, the event bus's
 * asynchronous invocation: retried, then sent to the function's DeadLetterQueue), DryRun 204.
 */
export function handleLambdaApi(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: LambdaRuntime,
  log: StackLog,
  invokeAsync?: (functionName: string, event: unknown) => void,
): void {
  void serve(req, res, runtime, log, invokeAsync).catch((error: unknown) => {
    log.line('lambda', `request failed: ${messageOf(error)}`);
    lambdaError(res, 500, 'ServiceException', messageOf(error));
  });
}

function lambdaError(res: ServerResponse, status: number, type: string, message: string) {
  sendJson(res, status, { Type: status >= 500 ? 'Service' : 'User', message }, 'application/json', {
    'x-amzn-errortype': type,
  });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: LambdaRuntime,
  log: StackLog,
  invokeAsync?: (functionName: string, event: unknown) => void,
) {
  const url = new URL(req.url ?? '/', 'http://local');
  const match = /^\/2015-03-31\/functions\/?([^/]*)(?:\/(invocations|configuration))?\/?$/.exec(url.pathname);
  if (!match)
    return lambdaError(
      res,
      404,
      'UnrecognizedClientException',
      `The local Lambda API does not serve ${req.method} ${url.pathname}`,
    );
  const name = decodedName(match[1] ?? '');
  if (name === undefined)
    return lambdaError(res, 400, 'InvalidParameterValueException', 'The function name is not valid percent-encoding');
  const action = match[2];
  if (!name) {
    if (req.method !== 'GET')
      return lambdaError(res, 405, 'InvalidRequestContentException', 'Only GET lists functions');
    return sendJson(res, 200, { Functions: runtime.functions().map((fn) => configurationOf(runtime, fn.name)) });
  }
  const fn = runtime.find(name);
  if (!fn) return lambdaError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
  if (action === undefined && req.method === 'GET') {
    return sendJson(res, 200, {
      Configuration: configurationOf(runtime, fn.name),
      Code: { RepositoryType: 'Local', Location: fn.sourceFile },
    });
  }
  if (action === 'configuration' && req.method === 'GET') return sendJson(res, 200, configurationOf(runtime, fn.name));
  if (action !== 'invocations' || req.method !== 'POST')
    return lambdaError(res, 405, 'InvalidRequestContentException', `${req.method} ${url.pathname} is not supported`);

  const parsed = parsedEvent(await readBody(req, 6 * 1024 * 1024));
  if ('error' in parsed) return lambdaError(res, 400, 'InvalidRequestContentException', parsed.error);
  const { event } = parsed;
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (type === 'DryRun') {
    res.writeHead(204).end();
    return;
  }
  if (type === 'Event') {
    invokeInBackground(fn.name, event, runtime, log, invokeAsync);
    res.writeHead(202, { 'x-amzn-requestid': globalThis.crypto.randomUUID() }).end();
    return;
  }
  if (type !== 'RequestResponse')
    return lambdaError(res, 400, 'InvalidParameterValueException', `Unknown X-Amz-Invocation-Type ${type}`);
  const outcome = await runtime.invoke(fn.name, event);
  const headers = { 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': outcome.requestId };
  if (outcome.ok) {
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(outcome.payload),
    });
    res.end(outcome.payload);
    return;
  }
  const text = JSON.stringify(outcome.error);
  res.writeHead(200, {
    ...headers,
    'x-amz-function-error': 'Unhandled',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The invocation's payload: {} for an empty body, the parsed JSON, or why it is not JSON. */
function parsedEvent(body: Buffer): { event: unknown } | { error: string } {
  if (body.length === 0) return { event: {} };
  try {
    return { event: JSON.parse(body.toString('utf8')) as unknown };
  } catch (error) {
    return { error: `Could not parse request body into json: ${(error as Error).message}` };
  }
}

/** An Event invocation: through the bus's asynchronous invocation when there is one, else just run and logged. */
function invokeInBackground(
  name: string,
  event: unknown,
  runtime: LambdaRuntime,
  log: StackLog,
  invokeAsync?: (functionName: string, event: unknown) => void,
): void {
  if (invokeAsync) return invokeAsync(name, event);
  void runtime.invoke(name, event).then((outcome) => {
    if (!outcome.ok)
      log.line(name, `asynchronous invocation failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
  });
}

function configurationOf(runtime: LambdaRuntime, name: string) {
  const fn = runtime.find(name);
  if (!fn) return {};
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.spec.runtime,
    Handler: fn.spec.handler,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    Environment: { Variables: fn.environment },
    Description: String(fn.spec.properties.Description ?? ''),
    State: 'Active',
    PackageType: 'Zip',
  };
}

function decodedName(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
