import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { StackLog } from '../log';
import type { FunctionModel, StackIdentity } from '../stack-model';
import { environmentOf, moduleFile } from './environment';
import { FunctionError, type FunctionErrorRecord, type InvokeOutcome } from './outcome';

/**
 * One Lambda sandbox: a worker thread (./worker.cjs) with only the function's environment, that loads the handler
 * once and serves one invocation at a time. A sandbox that times out, runs out of memory or exits is discarded, as
 * Lambda discards an execution environment; MemorySize caps its heap.
 */
export interface SandboxSettings {
  identity: StackIdentity;
  log: StackLog;
  mode: 'source' | 'bundle';
  bundleDir?: string;
  extraEnvironment?: Record<string, string>;
}

/** How a sandbox tells its pool that it is free again, or gone. */
export interface SandboxOwner {
  release(): void;
  discard(sandbox: Sandbox): void;
}

interface Pending {
  id: string;
  resolve: (outcome: InvokeOutcome) => void;
  started: number;
  requestId: string;
  timer: NodeJS.Timeout;
}

type WorkerMessage = { type: string; id?: string; ok?: boolean; payload?: string; error?: FunctionErrorRecord };
type Answer = { ok: true; payload: string } | { ok: false; error: FunctionErrorRecord };

const WORKER_FILE = path.join(__dirname, 'worker.cjs');

export class Sandbox {
  readonly worker: Worker;
  /** Resolves once the handler is loaded (the cold start); rejects with a FunctionError if it cannot be. */
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  private pending: Pending | undefined;
  private settleReady!: { resolve: () => void; reject: (error: FunctionError) => void };
  private readonly log: StackLog;

  constructor(
    private readonly fn: FunctionModel,
    settings: SandboxSettings,
    private readonly owner: SandboxOwner,
  ) {
    this.log = settings.log;
    const { file, typescript } = moduleFile(fn, settings.mode, settings.bundleDir);
    const enableSourceMaps = /--enable-source-maps/.test(fn.environment.NODE_OPTIONS ?? '');
    this.worker = new Worker(WORKER_FILE, {
      workerData: {
        file,
        typescript,
        exportName: fn.exportName,
        functionName: fn.name,
        functionArn: fn.arn,
        memoryMb: fn.memoryMb,
        logGroupName: `/aws/lambda/${fn.name}`,
      },
      env: environmentOf(fn, settings.identity, settings.extraEnvironment),
      execArgv: enableSourceMaps ? ['--enable-source-maps'] : [],
      // Lambda's Node.js runtime gives V8 about 90% of MemorySize; never less than tsx needs to compile sources.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(Math.floor(fn.memoryMb * 0.9), 192) },
      stdout: true,
      stderr: true,
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.log.line(fn.name, line));
    }
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error: Error & { code?: string }) => this.onError(error));
    this.worker.on('exit', () => this.onExit());
  }

  /** Runs one invocation on this (ready, busy) sandbox; a timeout discards the sandbox, as Lambda does. */
  invoke(event: unknown, requestId: string, started: number): Promise<InvokeOutcome> {
    const { fn } = this;
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        const pending = this.pending;
        this.pending = undefined;
        this.busy = false;
        this.log.line(fn.name, `RequestId: ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`);
        this.owner.discard(this);
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
      this.pending = { id, resolve, started, requestId, timer };
      let serialized: string;
      try {
        serialized = JSON.stringify(event === undefined ? null : event);
      } catch (error) {
        clearTimeout(timer);
        this.pending = undefined;
        this.busy = false;
        this.owner.release();
        resolve({
          ok: false,
          error: { errorType: 'InvalidRequestContentException', errorMessage: String(error), trace: [] },
          requestId,
          durationMs: 0,
        });
        return;
      }
      this.worker.postMessage({ type: 'invoke', id, event: serialized, requestId, deadline: started + timeoutMs });
    });
  }

  private finish(answer: Answer): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.busy = false;
    pending.resolve({ ...answer, requestId: pending.requestId, durationMs: Date.now() - pending.started });
    this.owner.release();
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') this.settleReady.resolve();
    else if (message.type === 'init-error') {
      this.settleReady.reject(new FunctionError(message.error as FunctionErrorRecord));
      this.owner.discard(this);
    } else if (message.type === 'result' && this.pending?.id === message.id) {
      this.finish(
        message.ok
          ? { ok: true, payload: message.payload as string }
          : { ok: false, error: message.error as FunctionErrorRecord },
      );
    }
  }

  private onError(error: Error & { code?: string }): void {
    const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const requestId = this.pending?.requestId ?? '-';
    const record: FunctionErrorRecord = {
      errorType: outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
      errorMessage: outOfMemory
        ? `RequestId: ${requestId} Error: Runtime exited with error: out of memory (MemorySize ${this.fn.memoryMb} MB)`
        : `RequestId: ${requestId} Error: Runtime exited with error: ${error.name}: ${error.message}`,
      trace: String(error.stack ?? '').split('\n'),
    };
    this.settleReady.reject(new FunctionError(record));
    this.finish({ ok: false, error: record });
    this.owner.discard(this);
  }

  private onExit(): void {
    this.settleReady.reject(
      new FunctionError({
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited before it was ready',
        trace: [],
      }),
    );
    this.finish({
      ok: false,
      error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited without an answer', trace: [] },
    });
    this.owner.discard(this);
  }
}
