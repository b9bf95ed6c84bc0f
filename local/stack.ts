import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { handleCloudFormation } from './cloudformation/cloudformation-api';
import { startDynamoDbService, type DynamoDbService } from './dynamodb/dynamodb-service';
import { createEventBus, type EventBus } from './events/event-bus';
import { objectEvent, Sequencers } from './events/s3-object-events';
import { routeOf, serveJson, unknownService } from './gateway';
import { sendAwsJsonError, sendJson, ServiceError } from './http/respond';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/runtime';
import { handleLambdaApi } from './lambda/lambda-api';
import { consoleLog, messageOf, type StackLog } from './log';
import { startS3Service, type S3Service } from './s3/s3-service';
import { loadStackModel, type StackModel } from './stack-model';
import { createStepFunctionsService, type StepFunctionsService } from './stepfunctions/service';
import { PROJECT_ROOT } from './template';
import { createWebApp, isWebAppPath } from './web/web-app';

/**
 * The whole backend offline, from template.yaml: one HTTP endpoint routing to S3 (s3rver), DynamoDB (dynalite),
 * Step Functions (aws-local-stepfunctions), Lambda (the handlers in worker threads), EventBridge (the template's
 * rules on S3 object events) and Rekognition (local/recognition), with data under one folder per stack.
 */
export interface LocalStackOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default .local-data/<port> in the project (a temp folder when port is 0). */
  dataDir?: string;
  templatePath?: string;
  codeRoot?: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  parameterOverrides?: Record<string, string>;
  /** Settings such as SFN_MOCK_CONFIG; process.env is read too. */
  env?: Record<string, string>;
  log?: StackLog;
  /** 'source' (default) runs the TypeScript handlers; 'bundle' the esbuild bundles under bundleDir. */
  lambdaMode?: 'source' | 'bundle';
  bundleDir?: string;
  /** Start one sandbox per function right after start. */
  warm?: boolean;
  /** Every Step Functions retrier waits this many ms instead of its interval (tests). */
  retryIntervalMs?: number;
  /** Delay of the event bus's retries (tests). */
  eventRetryDelayMs?: number;
  maxConcurrency?: number;
  /** Mount the local Rekognition (default true). */
  recognition?: boolean;
}

export interface LocalStack {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly model: StackModel;
  /** Resolves when no event is being delivered and no execution runs. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export class PortInUse extends Error {
  override readonly name = 'PortInUse';
}

export class DataFolderInUse extends Error {
  override readonly name = 'DataFolderInUse';
}

export const DEFAULT_PORT = 4566;
export const DATA_ROOT = path.join(PROJECT_ROOT, '.local-data');

export function defaultDataDir(port: number): string {
  return path.join(DATA_ROOT, String(port));
}

interface Services {
  s3: S3Service;
  dynamodb: DynamoDbService;
  states: StepFunctionsService;
  lambda: LambdaRuntime;
  bus: EventBus;
  rekognition?: Promise<{
    handle(target: string, body: unknown): Promise<{ status: number; headers: Record<string, string>; body: unknown }>;
    close(): Promise<void>;
  }>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? consoleLog();
  const env = { ...process.env, ...options.env };
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? env.LOCAL_STACK_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? env.LOCAL_STACK_ACCOUNT ?? '000000000000';
  const stackName = options.stackName ?? 'local';
  const startedAt = new Date();

  let services: Services | undefined;
  let model: StackModel | undefined;
  const server = http.createServer((req, res) => dispatch(req, res));
  server.keepAliveTimeout = 5000;
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUse(
              `Port ${options.port ?? DEFAULT_PORT} on ${host} is already in use (another local stack? then use --endpoint http://localhost:${options.port ?? DEFAULT_PORT}, or pick another --port)`,
            )
          : error,
      );
    });
    server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host}:${port}`;
  const dataDir = path.resolve(
    options.dataDir ??
      (options.port === 0 ? mkdtempSync(path.join(os.tmpdir(), 'local-stack-')) : defaultDataDir(port)),
  );
  let lockFile: string | undefined;

  try {
    model = loadStackModel({
      ...(options.templatePath ? { templatePath: options.templatePath } : {}),
      ...(options.codeRoot ? { codeRoot: options.codeRoot } : {}),
      identity: { region, accountId, stackName, endpoint },
      ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}),
    });
    mkdirSync(dataDir, { recursive: true });
    lockFile = lockDataDir(dataDir);
    services = await startServices(model, dataDir, options, env, log);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    if (lockFile) rmSync(lockFile, { force: true });
    throw error;
  }
  const ready = services;
  const stackModel = model;
  const webApp = createWebApp({ model, port, log });
  if (options.warm) void ready.lambda.warm();
  log.line('stack', `ready on ${endpoint} (data in ${dataDir})`);

  function dispatch(req: IncomingMessage, res: ServerResponse) {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    if (!services || !model) {
      sendAwsJsonError(res, 503, 'ServiceUnavailable', 'The local stack is starting', 'application/json');
      return;
    }
    try {
      if (!req.headers['x-amz-target'] && isWebAppPath(req.url)) return webApp.handle(req, res);
      const route = routeOf(req);
      switch (route) {
        case 's3':
          return services.s3.handle(req, res);
        case 'dynamodb':
          return services.dynamodb.handle(req, res);
        case 'states':
          return serveJson(
            req,
            res,
            {
              call: (operation, body) => services!.states.handle(operation, body),
              contentType: 'application/x-amz-json-1.0',
            },
            log,
            'Step Functions',
          );
        case 'rekognition':
          return serveRekognition(req, res);
        case 'lambda':
          return handleLambdaApi(req, res, services.lambda, log);
        case 'cloudformation':
          void handleCloudFormation(req, res, model, startedAt).catch((error: unknown) =>
            sendAwsJsonError(res, 500, 'InternalFailure', messageOf(error)),
          );
          return;
        case 'health':
          return sendJson(res, 200, {
            endpoint,
            region,
            accountId,
            stackName,
            dataDir,
            outputs: Object.fromEntries(Object.entries(model.outputs).map(([key, output]) => [key, output.value])),
          });
        default:
          return unknownService(res, route.unknown);
      }
    } catch (error) {
      log.line('stack', `request failed: ${messageOf(error)}`);
      sendAwsJsonError(res, 500, 'InternalFailure', messageOf(error), 'application/json');
    }
  }

  function serveRekognition(req: IncomingMessage, res: ServerResponse) {
    if (options.recognition === false) return unknownService(res, 'Rekognition (started with recognition off)');
    const current = services as Services;
    if (!current.rekognition) {
      const loading = (async () => {
        const { createRekognitionService } =
          (await import('./recognition/index.js')) as typeof import('./recognition/index.js');
        return createRekognitionService({
          readS3Object: (bucket: string, key: string, version?: string) => current.s3.readObject(bucket, key, version),
        });
      })();
      current.rekognition = loading;
      // A failed load is reported on this request and tried again on the next one.
      loading.catch((error: unknown) => {
        log.line('rekognition', `the local recognition did not load: ${messageOf(error)}`);
        if (current.rekognition === loading) current.rekognition = undefined;
      });
    }
    const pending = current.rekognition;
    serveJson(
      req,
      res,
      {
        contentType: 'application/x-amz-json-1.1',
        call: async (operation, body) => {
          const service = await pending;
          const answer = await service.handle(`RekognitionService.${operation}`, body);
          if (answer.status >= 400) {
            const error = answer.body as { __type?: string; Message?: string; message?: string };
            throw new ServiceError(
              error.__type ?? 'InternalServerError',
              error.Message ?? error.message ?? 'Rekognition failed',
              answer.status,
            );
          }
          return answer.body;
        },
      },
      log,
      'Rekognition',
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    dataDir,
    model: stackModel,
    async idle() {
      for (let round = 0; round < 100; round += 1) {
        await ready.bus.drain();
        await ready.states.idle();
        await new Promise((resolve) => setTimeout(resolve, 50));
        const quiet = await Promise.race([
          ready.bus.drain().then(() => true),
          new Promise((resolve) => setTimeout(() => resolve(false), 10)),
        ]);
        if (quiet) {
          await ready.states.idle();
          return;
        }
      }
    },
    stop() {
      stopping ??= (async () => {
        ready.bus.close();
        await ready.states.close();
        await ready.lambda.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await ready.s3.close();
        await ready.dynamodb.close();
        if (ready.rekognition) await (await ready.rekognition.catch(() => undefined))?.close().catch(() => undefined);
        if (lockFile) rmSync(lockFile, { force: true });
        log.line('stack', 'stopped');
        await log.close();
      })();
      return stopping;
    },
  };
}

async function startServices(
  model: StackModel,
  dataDir: string,
  options: LocalStackOptions,
  env: NodeJS.ProcessEnv,
  log: StackLog,
): Promise<Services> {
  const { region, accountId } = model.identity;
  const lambda = createLambdaRuntime({
    functions: model.functions,
    identity: model.identity,
    log,
    mode: options.lambdaMode ?? 'source',
    ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
  });
  const bus = createEventBus({
    rules: model.rules,
    invoke: (name, event) => lambda.invoke(name, event),
    log,
    deadLetterFile: path.join(dataDir, 'dead-letters.jsonl'),
    ...(options.eventRetryDelayMs !== undefined ? { retryDelayMs: () => options.eventRetryDelayMs as number } : {}),
  });
  const sequencers = new Sequencers();
  const eventBuckets = new Set(
    model.buckets.filter((bucket) => bucket.eventBridgeEnabled).map((bucket) => bucket.name),
  );
  const started: { close(): Promise<void> }[] = [];
  try {
    const s3 = await startS3Service({
      directory: path.join(dataDir, 's3'),
      buckets: model.buckets,
      region,
      log,
      onChange(change) {
        if (!eventBuckets.has(change.bucket)) return;
        bus.put(objectEvent(change, sequencers.next(change.bucket, change.key), region, accountId));
      },
    });
    started.push(s3);
    const dynamodb = await startDynamoDbService({
      directory: path.join(dataDir, 'dynamodb'),
      tables: model.tables,
      region,
      log,
    });
    started.push(dynamodb);
    const retryFromEnv = env.LOCAL_SFN_RETRY_INTERVAL_MS ? Number(env.LOCAL_SFN_RETRY_INTERVAL_MS) : undefined;
    const states = createStepFunctionsService({
      directory: path.join(dataDir, 'stepfunctions'),
      region,
      accountId,
      templateMachines: model.stateMachines,
      invoke: (name, payload) => lambda.invokeOrThrow(name, payload),
      log,
      ...(env.SFN_MOCK_CONFIG ? { mockConfigPath: path.resolve(env.SFN_MOCK_CONFIG) } : {}),
      ...(options.retryIntervalMs !== undefined
        ? { retryIntervalMs: options.retryIntervalMs }
        : retryFromEnv !== undefined
          ? { retryIntervalMs: retryFromEnv }
          : {}),
    });
    return { s3, dynamodb, states, lambda, bus };
  } catch (error) {
    for (const service of started.reverse()) await service.close().catch(() => undefined);
    await lambda.close();
    throw error;
  }
}

/** One stack per data folder: dynalite corrupts (and crashes on) a LevelDB another process holds. */
function lockDataDir(dataDir: string): string {
  const lockFile = path.join(dataDir, 'stack.lock');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return lockFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new DataFolderInUse(
      `The data folder ${dataDir} is in use by another local stack (pid ${holder}); stop it or use another --data-dir`,
    );
  }
  if (holder === process.pid)
    throw new DataFolderInUse(`The data folder ${dataDir} is already used by a stack in this process`);
  writeFileSync(lockFile, String(process.pid));
  return lockFile;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
