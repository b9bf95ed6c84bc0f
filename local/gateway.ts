import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf, type StackLog } from './log';
import { parseJsonBody, readBody, sendAwsJsonError, sendJson, ServiceError } from './http/respond';

/**
 * One endpoint for every service, the way AWS_ENDPOINT_URL expects: JSON-protocol requests go by X-Amz-Target, the
 * Lambda API by its path, CloudFormation by the service in the SigV4 credential scope, everything else is S3.
 */
export type Route =
  's3' | 'dynamodb' | 'states' | 'rekognition' | 'lambda' | 'cloudformation' | 'health' | { unknown: string };

const TARGETS: [string, Route][] = [
  ['DynamoDB_20120810.', 'dynamodb'],
  ['AWSStepFunctions.', 'states'],
  ['RekognitionService.', 'rekognition'],
];

/** The service a SigV4 request was signed for (header or presigned query), if any. */
export function signedService(req: IncomingMessage): string | undefined {
  const fromHeader = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '')?.[1];
  if (fromHeader) return fromHeader;
  const query = (req.url ?? '').split('?')[1];
  const credential = query ? new URLSearchParams(query).get('X-Amz-Credential') : null;
  return credential?.split('/')[3];
}

export function routeOf(req: IncomingMessage): Route {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target !== '') {
    const found = TARGETS.find(([prefix]) => target.startsWith(prefix));
    return found ? found[1] : { unknown: `X-Amz-Target ${target}` };
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path.startsWith('/2015-03-31/functions')) return 'lambda';
  if (path === '/_local/health') return 'health';
  const service = signedService(req);
  if (service === 'cloudformation') return 'cloudformation';
  if (service && service !== 's3') return { unknown: `the ${service} API` };
  return 's3';
}

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

export function unknownService(res: ServerResponse, what: string): void {
  sendAwsJsonError(
    res,
    400,
    'UnknownOperationException',
    `The local stack does not serve ${what}. It serves S3, DynamoDB (DynamoDB_20120810.*), Step Functions (AWSStepFunctions.*), Lambda (/2015-03-31/functions), Rekognition (RekognitionService.*) and CloudFormation DescribeStacks.`,
    'application/json',
  );
}
