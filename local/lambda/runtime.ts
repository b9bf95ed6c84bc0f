import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { StackLog } from '../log';
import type { FunctionModel, StackIdentity } from '../stack-model';

/**
 * The functions of template.yaml, run like Lambda runs them: each invocation in a sandbox (a worker thread) that
 * has only the function's environment, loads the handler once and serves one invocation at a time; more sandboxes
 * start when invocations overlap. Timeout is enforced by discarding the sandbox, as Lambda does; MemorySize caps
 * the sandbox's heap.
 */
export interface FunctionErrorRecord {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type InvokeOutcome =
  | { ok: true; payload: string; requestId: string; durationMs: number }
  | { ok: false; error: FunctionErrorRecord; requestId: string; durationMs: number };

/** A function error crossing into code that expects a thrown Error (e.g. the Step Functions engine). */
export class FunctionError extends Error {
  constructor(readonly record: FunctionErrorRecord) {
    super(record.errorMessage);
    this.name = record.errorType;
    this.stack = record.trace.join('\n');
  }
}

/** Thrown for a function name the template does not declare (Lambda's ResourceNotFoundException). */
export class FunctionNotFound extends Error {
  override readonly name = 'ResourceNotFoundException';
}

export interface LambdaRuntimeOptions {
  functions: FunctionModel[];
  identity: StackIdentity;
  log: StackLog;
  /** 'source' runs the TypeScript handlers through tsx; 'bundle' runs <bundleDir>/<LogicalId>/<handler>.js. */
  mode?: 'source' | 'bundle';
  bundleDir?: string;
  /** Sandboxes per function at most; further invocations wait. */
  maxConcurrency?: number;
  /** Extra variables for every function (e.g. AWS_NODEJS_CONNECTION_REUSE_ENABLED). */
  extraEnvironment?: Record<string, string>;
}

export interface LambdaRuntime {
  functions(): FunctionModel[];
  find(nameOrArn: string): FunctionModel | undefined;
  invoke(nameOrArn: string, event: unknown): Promise<InvokeOutcome>;
  /** Invoke and answer the parsed result, or throw a FunctionError. */
  invokeOrThrow(nameOrArn: string, event: unknown): Promise<unknown>;
  /** Starts one sandbox per function ahead of the first invocation (cold starts off the critical path). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

const WORKER_FILE = path.join(__dirname, 'worker.cjs');

/** "Name", "Name:qualifier", "123:function:Name" or a full ARN -> "Name". */
export function functionNameOf(nameOrArn: string): string {
  const marker = nameOrArn.indexOf('function:');
  const rest = marker >= 0 ? nameOrArn.slice(marker + 'function:'.length) : nameOrArn;
  return rest.split(':')[0] ?? rest;
}

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  pending?: {
    id: string;
    resolve: (outcome: InvokeOutcome) => void;
    started: number;
    requestId: string;
    timer: NodeJS.Timeout;
  };
  dead: boolean;
}

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const { identity, log } = options;
  const mode = options.mode ?? 'source';
  const maxConcurrency = options.maxConcurrency ?? 4;
  const byName = new Map(options.functions.map((fn) => [fn.name, fn]));
  const pools = new Map<string, { sandboxes: Sandbox[]; waiting: (() => void)[] }>();
  let closed = false;

  function environmentOf(fn: FunctionModel): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      AWS_REGION: identity.region,
      AWS_DEFAULT_REGION: identity.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: identity.endpoint,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.spec.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'local',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _HANDLER: fn.spec.handler,
      ...options.extraEnvironment,
      ...fn.environment,
    };
  }

  function moduleFile(fn: FunctionModel): { file: string; typescript: boolean } {
    if (mode === 'bundle') {
      const dir = options.bundleDir ?? path.join(process.cwd(), 'dist');
      return { file: path.join(dir, fn.logicalId, `${fn.handlerFile}.js`), typescript: false };
    }
    return { file: fn.sourceFile, typescript: /\.[cm]?ts$/.test(fn.sourceFile) };
  }

  function startSandbox(fn: FunctionModel): Sandbox {
    const { file, typescript } = moduleFile(fn);
    const enableSourceMaps = /--enable-source-maps/.test(fn.environment.NODE_OPTIONS ?? '');
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        file,
        typescript,
        exportName: fn.exportName,
        functionName: fn.name,
        functionArn: fn.arn,
        memoryMb: fn.memoryMb,
        logGroupName: `/aws/lambda/${fn.name}`,
      },
      env: environmentOf(fn),
      execArgv: enableSourceMaps ? ['--enable-source-maps'] : [],
      // Lambda's Node.js runtime gives V8 about 90% of MemorySize; never less than tsx needs to compile sources.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(Math.floor(fn.memoryMb * 0.9), 192) },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => log.line(fn.name, line));
    }
    let settleReady!: { resolve: () => void; reject: (error: FunctionError) => void };
    const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
    ready.catch(() => undefined);
    const sandbox: Sandbox = { worker, ready, busy: false, dead: false };

    const finish = (outcome: { ok: true; payload: string } | { ok: false; error: FunctionErrorRecord }) => {
      const pending = sandbox.pending;
      if (!pending) return;
      clearTimeout(pending.timer);
      sandbox.pending = undefined;
      sandbox.busy = false;
      pending.resolve({
        ...outcome,
        requestId: pending.requestId,
        durationMs: Date.now() - pending.started,
      } as InvokeOutcome);
      release(fn);
    };

    worker.on(
      'message',
      (message: { type: string; id?: string; ok?: boolean; payload?: string; error?: FunctionErrorRecord }) => {
        if (message.type === 'ready') settleReady.resolve();
        else if (message.type === 'init-error') {
          settleReady.reject(new FunctionError(message.error as FunctionErrorRecord));
          discard(fn, sandbox);
        } else if (message.type === 'result' && sandbox.pending?.id === message.id) {
          finish(
            message.ok
              ? { ok: true, payload: message.payload as string }
              : { ok: false, error: message.error as FunctionErrorRecord },
          );
        }
      },
    );
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const record: FunctionErrorRecord = {
        errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        errorMessage: outOfMemory
          ? `RequestId: ${sandbox.pending?.requestId ?? '-'} Error: Runtime exited with error: out of memory (MemorySize ${fn.memoryMb} MB)`
          : `RequestId: ${sandbox.pending?.requestId ?? '-'} Error: Runtime exited with error: ${error.name}: ${error.message}`,
        trace: String(error.stack ?? '').split('\n'),
      };
      settleReady.reject(new FunctionError(record));
      finish({ ok: false, error: record });
      discard(fn, sandbox);
    });
    worker.on('exit', () => {
      settleReady.reject(
        new FunctionError({
          errorType: 'Runtime.ExitError',
          errorMessage: 'Runtime exited before it was ready',
          trace: [],
        }),
      );
      finish({
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited without an answer', trace: [] },
      });
      discard(fn, sandbox);
    });
    return sandbox;
  }

  function poolOf(fn: FunctionModel) {
    let pool = pools.get(fn.name);
    if (!pool) {
      pool = { sandboxes: [], waiting: [] };
      pools.set(fn.name, pool);
    }
    return pool;
  }

  function discard(fn: FunctionModel, sandbox: Sandbox) {
    if (sandbox.dead) return;
    sandbox.dead = true;
    const pool = poolOf(fn);
    pool.sandboxes = pool.sandboxes.filter((candidate) => candidate !== sandbox);
    void sandbox.worker.terminate();
    release(fn);
  }

  function release(fn: FunctionModel) {
    poolOf(fn).waiting.shift()?.();
  }

  async function acquire(fn: FunctionModel): Promise<Sandbox> {
    for (;;) {
      if (closed)
        throw new FunctionError({
          errorType: 'Lambda.ServiceException',
          errorMessage: 'The local stack is stopping',
          trace: [],
        });
      const pool = poolOf(fn);
      const idle = pool.sandboxes.find((sandbox) => !sandbox.busy && !sandbox.dead);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.sandboxes.length < maxConcurrency) {
        const sandbox = startSandbox(fn);
        sandbox.busy = true;
        pool.sandboxes.push(sandbox);
        return sandbox;
      }
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
  }

  async function invoke(nameOrArn: string, event: unknown): Promise<InvokeOutcome> {
    const fn = byName.get(functionNameOf(nameOrArn));
    if (!fn) throw new FunctionNotFound(`Function not found: ${nameOrArn}`);
    const requestId = randomUUID();
    const started = Date.now();
    const sandbox = await acquire(fn);
    try {
      await sandbox.ready;
    } catch (error) {
      sandbox.busy = false;
      const record =
        error instanceof FunctionError
          ? error.record
          : { errorType: 'Runtime.Unknown', errorMessage: String(error), trace: [] };
      return { ok: false, error: record, requestId, durationMs: Date.now() - started };
    }
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        const pending = sandbox.pending;
        sandbox.pending = undefined;
        sandbox.busy = false;
        log.line(fn.name, `RequestId: ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`);
        discard(fn, sandbox);
        pending?.resolve({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          },
          requestId,
          durationMs: Date.now() - started,
        });
      }, timeoutMs);
      sandbox.pending = { id, resolve, started, requestId, timer };
      let serialized: string;
      try {
        serialized = JSON.stringify(event === undefined ? null : event);
      } catch (error) {
        clearTimeout(timer);
        sandbox.pending = undefined;
        sandbox.busy = false;
        release(fn);
        resolve({
          ok: false,
          error: { errorType: 'InvalidRequestContentException', errorMessage: String(error), trace: [] },
          requestId,
          durationMs: 0,
        });
        return;
      }
      sandbox.worker.postMessage({ type: 'invoke', id, event: serialized, requestId, deadline: started + timeoutMs });
    });
  }

  return {
    functions: () => options.functions,
    find: (nameOrArn) => byName.get(functionNameOf(nameOrArn)),
    invoke,
    async invokeOrThrow(nameOrArn, event) {
      const outcome = await invoke(nameOrArn, event);
      if (!outcome.ok) throw new FunctionError(outcome.error);
      return JSON.parse(outcome.payload) as unknown;
    },
    async warm() {
      await Promise.all(
        options.functions.map(async (fn) => {
          const pool = poolOf(fn);
          if (pool.sandboxes.length > 0 || closed) return;
          const sandbox = startSandbox(fn);
          pool.sandboxes.push(sandbox);
          await sandbox.ready.catch((error: unknown) =>
            log.line(fn.name, `cold start failed: ${(error as Error).name}: ${(error as Error).message}`),
          );
        }),
      );
    },
    async close() {
      closed = true;
      const all = [...pools.values()].flatMap((pool) => pool.sandboxes);
      for (const pool of pools.values()) for (const wake of pool.waiting.splice(0)) wake();
      await Promise.all(all.map((sandbox) => sandbox.worker.terminate().catch(() => undefined)));
    },
  };
}
