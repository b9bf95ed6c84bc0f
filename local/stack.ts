import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FaultInjection } from './faults/injection';
import { withRequestFaults } from './faults/request-faults';
import { localBuckets, localOutputs, localUrls } from './frontdoor/local-urls';
import { createGateway, type Handler } from './gateway';
import { sendAwsJsonError } from './http/respond';
import { consoleLog, type StackLog } from './log';
import { MOUNTS } from './mounts';
import { configuredHosts, exposureWarning } from './security/hosts';
import { guarded } from './security/request-guard';
import { servicesIdle, startServices, stopServices, type Services } from './services';
import { loadStackModel, type StackIdentity, type StackModel } from './stack-model';
import { PROJECT_ROOT } from './template';

/**
 * The whole backend offline, from template.yaml: one HTTP endpoint routing to S3 (s3rver), DynamoDB (dynalite),
 * Step Functions (aws-local-stepfunctions), Lambda (the handlers in worker threads), EventBridge (the template's
 * rules on S3 object events) and Rekognition (local/recognition), with data under one folder per stack.
 */
export interface LocalStackOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; any other than loopback is warned about (the stack is then reachable from the network). */
  host?: string;
  /** Host names answered besides loopback and `host` (also LOCAL_STACK_ALLOWED_HOSTS, comma-separated). */
  allowedHosts?: string[];
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
  /**
   * Faults to inject into the functions' requests, invocations and event deliveries: set only by the faults run
   * (local/faults/), never by `npm start` or any request.
   */
  faults?: FaultInjection;
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

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? consoleLog();
  const env = { ...process.env, ...options.env };
  const host = options.host ?? '127.0.0.1';
  const startedAt = new Date();
  let gateway: Handler = starting;
  const server = await listen(options.port ?? DEFAULT_PORT, host, (req, res) => gateway(req, res));
  const port = (server.address() as AddressInfo).port;
  const identity: StackIdentity = {
    region: options.region ?? env.LOCAL_STACK_REGION ?? 'us-east-1',
    accountId: options.accountId ?? env.LOCAL_STACK_ACCOUNT ?? '000000000000',
    stackName: options.stackName ?? 'local',
    endpoint: `http://${endpointHost(host)}:${port}`,
  };
  const dataDir = path.resolve(
    options.dataDir ??
      (options.port === 0 ? mkdtempSync(path.join(os.tmpdir(), 'local-stack-')) : defaultDataDir(port)),
  );
  let lockFile: string | undefined;
  let model: StackModel;
  let services: Services;
  try {
    model = loadStackModel({
      ...(options.templatePath ? { templatePath: options.templatePath } : {}),
      ...(options.codeRoot ? { codeRoot: options.codeRoot } : {}),
      identity,
      ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}),
    });
    const urls = localUrls(port);
    model = { ...model, outputs: localOutputs(model.outputs, urls), buckets: localBuckets(model.buckets, urls) };
    mkdirSync(dataDir, { recursive: true });
    lockFile = lockDataDir(dataDir);
    services = await startServices(model, dataDir, options, env, log);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    if (lockFile) rmSync(lockFile, { force: true });
    throw error;
  }
  const context = { model, services, log, dataDir, startedAt };
  const routes = createGateway(MOUNTS, context, log);
  if (options.faults)
    log.line('stack', 'FAULT INJECTION ON: requests, invocations and deliveries will fail on purpose');
  gateway = guarded(options.faults ? withRequestFaults(routes, options.faults, log) : routes, {
    mounts: MOUNTS,
    context,
    port,
    bindHost: host,
    allowedHosts: configuredHosts(env, options.allowedHosts),
    buckets: model.buckets,
    log,
  });
  // Deliveries a stop or crash cut off, now that the functions can reach the stack.
  services.bus.resume();
  if (options.warm) void services.lambda.warm();
  // Executions the last run left RUNNING (a crash) or could not announce (a stop) end now, on the bus.
  services.states.resumeStatusEvents();
  const warning = exposureWarning(host, port);
  if (warning) log.line('stack', warning);
  log.line('stack', `ready on ${identity.endpoint} (data in ${dataDir})`);
  return runningStack({ server, port, dataDir, model, services, lockFile, log });
}

/** The host clients of the stack (its functions too) use: loopback for a wildcard bind, IPv6 in brackets. */
function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** What a request gets before the services run. */
const starting: Handler = (_req, res) =>
  sendAwsJsonError(res, 503, 'ServiceUnavailable', 'The local stack is starting', 'application/json');

/** An HTTP server on host:port for the stack's requests; bytes that are not HTTP get a 400 (431 for huge headers). */
async function listen(port: number, host: string, handle: Handler): Promise<Server> {
  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    handle(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUse(
              `Port ${port} on ${host} is already in use (another local stack? then use --endpoint http://localhost:${port}, or pick another --port)`,
            )
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
  return server;
}

function runningStack(stack: {
  server: Server;
  port: number;
  dataDir: string;
  model: StackModel;
  services: Services;
  lockFile: string;
  log: StackLog;
}): LocalStack {
  const { server, services, log } = stack;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: stack.model.identity.endpoint,
    port: stack.port,
    dataDir: stack.dataDir,
    model: stack.model,
    idle: () => servicesIdle(services),
    stop() {
      stopping ??= (async () => {
        await stopServices(services, async () => {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        });
        rmSync(stack.lockFile, { force: true });
        log.line('stack', 'stopped');
        await log.close();
      })();
      return stopping;
    },
  };
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
