import { randomUUID } from 'node:crypto';
import { cutShort } from '../faults/lambda-faults';
import type { FaultInjection } from '../faults/injection';
import type { StackLog } from '../log';
import type { FunctionModel, StackIdentity } from '../stack-model';
import { FunctionError, FunctionNotFound, functionNameOf, type InvokeOutcome } from './outcome';
import { Sandbox, type SandboxSettings } from './sandbox';

/**
 * The functions of template.yaml, run like Lambda runs them: each invocation in a sandbox (./sandbox.ts, a child
 * process held to MemorySize) that has only the function's environment, loads the handler once and serves one
 * invocation at a time; more sandboxes start when invocations overlap, up to maxConcurrency per function, and further
 * invocations wait.
 */
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
  /** Crashes and timeouts the faults run injects (never set otherwise). */
  faults?: Pick<FaultInjection, 'invocation'>;
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

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const byName = new Map(options.functions.map((fn) => [fn.name, fn]));
  const pools = new SandboxPools(options);

  async function invoke(nameOrArn: string, event: unknown): Promise<InvokeOutcome> {
    const fn = byName.get(functionNameOf(nameOrArn));
    if (!fn) throw new FunctionNotFound(`Function not found: ${nameOrArn}`);
    const requestId = randomUUID();
    const started = Date.now();
    const sandbox = await pools.acquire(fn);
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
    const fault = options.faults?.invocation(fn.name, event);
    const running = sandbox.invoke(event, requestId, started);
    if (!fault) return running;
    return cutShort(running, fault, { fn, requestId, started, kill: () => pools.kill(fn, sandbox) });
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
    warm: () => pools.warm(options.functions),
    close: () => pools.close(),
  };
}

/** The sandboxes of each function, and the invocations waiting for one. */
class SandboxPools {
  private readonly pools = new Map<string, { sandboxes: Sandbox[]; waiting: (() => void)[] }>();
  private readonly settings: SandboxSettings;
  private readonly maxConcurrency: number;
  private closed = false;

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.maxConcurrency = options.maxConcurrency ?? 4;
    this.settings = {
      identity: options.identity,
      log: options.log,
      mode: options.mode ?? 'source',
      ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
      ...(options.extraEnvironment ? { extraEnvironment: options.extraEnvironment } : {}),
    };
  }

  /** An idle sandbox of the function, a new one while under maxConcurrency, else the next one released. */
  async acquire(fn: FunctionModel): Promise<Sandbox> {
    for (;;) {
      if (this.closed)
        throw new FunctionError({
          errorType: 'Lambda.ServiceException',
          errorMessage: 'The local stack is stopping',
          trace: [],
        });
      const pool = this.poolOf(fn);
      const idle = pool.sandboxes.find((sandbox) => !sandbox.busy && !sandbox.dead);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.sandboxes.length < this.maxConcurrency) {
        const sandbox = this.start(fn);
        sandbox.busy = true;
        pool.sandboxes.push(sandbox);
        return sandbox;
      }
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
  }

  async warm(functions: FunctionModel[]): Promise<void> {
    await Promise.all(
      functions.map(async (fn) => {
        const pool = this.poolOf(fn);
        if (pool.sandboxes.length > 0 || this.closed) return;
        const sandbox = this.start(fn);
        pool.sandboxes.push(sandbox);
        await sandbox.ready.catch((error: unknown) =>
          this.options.log.line(fn.name, `cold start failed: ${(error as Error).name}: ${(error as Error).message}`),
        );
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.pools.values()].flatMap((pool) => pool.sandboxes);
    for (const pool of this.pools.values()) for (const wake of pool.waiting.splice(0)) wake();
    await Promise.all(all.map((sandbox) => sandbox.stop()));
  }

  /** Ends the sandbox mid-invocation, as a crash of its runtime would: the invocation fails with Runtime.ExitError. */
  kill(fn: FunctionModel, sandbox: Sandbox): void {
    this.discard(fn, sandbox);
  }

  private start(fn: FunctionModel): Sandbox {
    return new Sandbox(fn, this.settings, {
      release: () => this.release(fn),
      discard: (sandbox) => this.discard(fn, sandbox),
    });
  }

  private poolOf(fn: FunctionModel) {
    let pool = this.pools.get(fn.name);
    if (!pool) {
      pool = { sandboxes: [], waiting: [] };
      this.pools.set(fn.name, pool);
    }
    return pool;
  }

  private discard(fn: FunctionModel, sandbox: Sandbox): void {
    if (sandbox.dead) return;
    sandbox.dead = true;
    const pool = this.poolOf(fn);
    pool.sandboxes = pool.sandboxes.filter((candidate) => candidate !== sandbox);
    void sandbox.stop();
    this.release(fn);
  }

  private release(fn: FunctionModel): void {
    this.poolOf(fn).waiting.shift()?.();
  }
}
