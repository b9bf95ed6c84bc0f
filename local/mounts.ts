import type { IncomingMessage } from 'node:http';
import { handleCloudFormation } from './cloudformation/cloudformation-api';
import { INBOX_PREFIX } from './frontdoor/inbox-api';
import { API_PREFIX, AUTH_PREFIX } from './frontdoor/local-urls';
import { routeIn, unknownService, type Handler, type Mount, type Route } from './gateway';
import { serveJson } from './http/json-protocol';
import { sendAwsJsonError, sendJson } from './http/respond';
import { handleLambdaApi } from './lambda/lambda-api';
import { handleSnsApi } from './sns/sns-api';
import { sqsOperation } from './sqs/sqs-api';
import { messageOf, type StackLog } from './log';
import type { Services } from './services';
import type { StackModel } from './stack-model';
import { createWebApp, WEB_APP_PREFIX } from './web/web-app';

/**
 * What the stack's one endpoint serves: one line per mount. A new local service is a module that answers HTTP, a
 * line here (an X-Amz-Target prefix, a path, or a signed service) and, if it runs, an entry in ./services.ts.
 * Bucket names cannot contain `_`, so no path-style S3 request starts with `/_`: local-only paths live there.
 */
export interface StackContext {
  model: StackModel;
  services: Services;
  log: StackLog;
  dataDir: string;
  startedAt: Date;
}

export const MOUNTS: Mount<StackContext>[] = [
  {
    route: 's3',
    signedFor: 's3',
    signing: 's3',
    serves: 'S3',
    handler:
      ({ services }) =>
      (req, res) =>
        services.s3.handle(req, res),
  },
  {
    route: 'dynamodb',
    target: 'DynamoDB_20120810.',
    serves: 'DynamoDB (DynamoDB_20120810.*)',
    handler:
      ({ services }) =>
      (req, res) =>
        services.dynamodb.handle(req, res),
  },
  {
    route: 'states',
    target: 'AWSStepFunctions.',
    serves: 'Step Functions (AWSStepFunctions.*)',
    handler: stepFunctionsApi,
  },
  {
    route: 'lambda',
    path: '/2015-03-31/functions',
    serves: 'Lambda (/2015-03-31/functions)',
    handler:
      ({ services, log }) =>
      (req, res) =>
        handleLambdaApi(req, res, services.lambda, log, (name, event) => services.bus.invokeAsync(name, event)),
  },
  {
    route: 'rekognition',
    target: 'RekognitionService.',
    serves: 'Rekognition (RekognitionService.*)',
    handler: rekognitionApi,
  },
  {
    route: 'cloudformation',
    signedFor: 'cloudformation',
    serves: 'CloudFormation DescribeStacks',
    handler: cloudFormationApi,
  },
  {
    route: 'sns',
    signedFor: 'sns',
    serves: 'SNS (query protocol)',
    handler:
      ({ services, log }) =>
      (req, res) =>
        handleSnsApi(req, res, services.sns, log),
  },
  {
    route: 'sqs',
    target: 'AmazonSQS.',
    serves: 'SQS (AmazonSQS.*, the dead-letter queues)',
    handler: sqsApi,
  },
  { route: 'health', path: '/_local/health', handler: health },
  { route: 'auth', path: AUTH_PREFIX, handler: frontDoor },
  {
    route: 'api',
    path: API_PREFIX,
    handler: frontDoor,
    corsOrigins: ({ services }) => services.frontDoor.corsOrigins(),
  },
  {
    route: 'inbox',
    path: INBOX_PREFIX,
    handler: frontDoor,
    corsOrigins: ({ services }) => services.frontDoor.corsOrigins(),
  },
  { route: 'webapp', path: WEB_APP_PREFIX, handler: ({ model, log }) => createWebApp({ model, log }).handle },
];

/** The mount a request goes to in the stack's table. */
export function routeOf(req: IncomingMessage): Route {
  return routeIn(MOUNTS, req);
}

function rekognitionApi({ services: { rekognition } }: StackContext): Handler {
  if (rekognition) return (req, res) => rekognition.handle(req, res);
  return (_req, res) => unknownService(MOUNTS, res, 'Rekognition (started with recognition off)');
}

function stepFunctionsApi({ services, log }: StackContext): Handler {
  const service = {
    call: (operation: string, body: Record<string, unknown>) => services.states.handle(operation, body),
    contentType: 'application/x-amz-json-1.0',
  };
  return (req, res) => serveJson(req, res, service, log, 'Step Functions');
}

function sqsApi({ services, log }: StackContext): Handler {
  const service = {
    call: async (operation: string, body: Record<string, unknown>) => sqsOperation(services.sqs, operation, body),
    contentType: 'application/x-amz-json-1.0',
  };
  return (req, res) => serveJson(req, res, service, log, 'SQS');
}

function cloudFormationApi({ model, startedAt }: StackContext): Handler {
  return (req, res) =>
    void handleCloudFormation(req, res, model, startedAt).catch((error: unknown) =>
      sendAwsJsonError(res, 500, 'InternalFailure', messageOf(error)),
    );
}

/** The user pool's provider, the HTTP API and the inbox of notifications (local/frontdoor/). */
function frontDoor({ services }: StackContext): Handler {
  return (req, res) => services.frontDoor.handle(req, res);
}

/** The stack's identity, data folder, outputs, the provider's clients and the API's routes, for tools. */
function health({ model, dataDir, services }: StackContext): Handler {
  const { endpoint, region, accountId, stackName } = model.identity;
  return (_req, res) =>
    sendJson(res, 200, {
      endpoint,
      region,
      accountId,
      stackName,
      dataDir,
      outputs: Object.fromEntries(Object.entries(model.outputs).map(([key, output]) => [key, output.value])),
      ...services.frontDoor.describe(),
    });
}
