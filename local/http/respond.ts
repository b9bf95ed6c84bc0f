import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small helpers shared by the services the gateway mounts: bodies, JSON answers and AWS-shaped errors. */
export class RequestTooLarge extends Error {
  override readonly name = 'RequestTooLarge';
}

export function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new RequestTooLarge(`Request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': cryptoRandomId(),
    ...headers,
  });
  res.end(text);
}

/** An error in the AWS JSON protocols (awsJson1_0 / 1_1): `__type` names the exception, the SDKs read it. */
export function sendAwsJsonError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  contentType = 'application/x-amz-json-1.0',
): void {
  sendJson(res, status, { __type: type, message, Message: message }, contentType, { 'x-amzn-errortype': type });
}

/** Thrown by a service handler to answer with an AWS error instead of a 500. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function cryptoRandomId(): string {
  return globalThis.crypto.randomUUID();
}

/** Parses a JSON body, answering a clear SerializationException for anything else. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new ServiceError('SerializationException', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}
