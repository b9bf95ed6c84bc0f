import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { StackLog } from '../log';
import type { FunctionModel, StackIdentity } from '../stack-model';
import { environmentOf, moduleFile } from './environment';
import { MemoryWatch } from './memory-watch';
import { exitRecord, FunctionError, outOfMemoryRecord, type FunctionErrorRecord, type InvokeOutcome } from './outcome';

/**
 * One Lambda sandbox: a child process (./worker.cjs) with only the function's environment, that loads the handler
 * once and serves one invocation at a time. A process, not a worker thread, because MemorySize is a limit on the
 * whole process's resident memory on Lambda, and only a process of its own has a resident memory that can be read:
 * worker threads share the stack's. A sandbox that times out, passes its MemorySize or exits is discarded, as Lambda
 * discards an execution environment, and the invocation fails with Lambda's error type.
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

type WorkerMessage = {
  type: string;
  id?: string;
  ok?: boolean;
  payload?: string;
  error?: FunctionErrorRecord;
  peakRssKb?: number;
};
type Answer = { ok: true; payload: string } | { ok: false; error: FunctionErrorRecord };

const WORKER_FILE = path.join(__dirname, 'worker.cjs');
/** What V8 prints when the heap limit is reached: the process aborts, which Lambda reports as out of memory too. */
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit/;

export class Sandbox {
  readonly process: ChildProcess;
  /** Resolves once the handler is loaded (the cold start); rejects with a FunctionError if it cannot be. */
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  private pending: Pending | undefined;
  private settleReady!: { resolve: () => void; reject: (error: FunctionError) => void };
  private readonly log: StackLog;
  private readonly memory: MemoryWatch;
  private readonly exited: Promise<void>;
  /** Set when the stack ends the process itself (out of memory): what the invocation reports. */
  private killedFor: 'memory' | undefined;
  private heapExhausted = false;

  constructor(
    private readonly fn: FunctionModel,
    settings: SandboxSettings,
    private readonly owner: SandboxOwner,
  ) {
    this.log = settings.log;
    const { file, typescript } = moduleFile(fn, settings.mode, settings.bundleDir);
    const config = {
      file,
      typescript,
      exportName: fn.exportName,
      functionName: fn.name,
      functionArn: fn.arn,
      memoryMb: fn.memoryMb,
      logGroupName: `/aws/lambda/${fn.name}`,
    };
    this.process = fork(WORKER_FILE, [JSON.stringify(config)], {
      // Only the function's environment: NODE_OPTIONS from the template (--enable-source-maps) applies as on Lambda.
      env: environmentOf(fn, settings.identity, settings.extraEnvironment),
      // Lambda's Node.js runtime gives V8 about 90% of MemorySize; the rest of the process is held by the watch below.
      execArgv: [`--max-old-space-size=${Math.max(Math.floor(fn.memoryMb * 0.9), 16)}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // 'close' comes after the process exited and its output was read (V8's out-of-memory message included).
    this.exited = new Promise((resolve) => this.process.once('close', () => resolve()));
    this.memory = new MemoryWatch(this.process.pid ?? 0, fn.memoryMb, (peakMb) => this.outOfMemory(peakMb));
    this.forwardLogs();
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.then(
      () => this.memory.stop(),
      () => undefined,
    );
    // The cold start counts against MemorySize too.
    this.memory.start();
    this.process.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.process.on('error', (error) => this.onExit(null, null, error));
    this.process.on('close', (code: number | null, signal: string | null) => this.onExit(code, signal));
  }

  /** Runs one invocation on this (ready, busy) sandbox; a timeout discards the sandbox, as Lambda does. */
  invoke(event: unknown, requestId: string, started: number): Promise<InvokeOutcome> {
    const { fn } = this;
    const timeoutMs = fn.timeoutSeconds * 1000;
    return new Promise<InvokeOutcome>((resolve) => {
      let serialized: string;
      try {
        serialized = JSON.stringify(event === undefined ? null : event);
      } catch (error) {
        this.busy = false;
        this.owner.release();
        const record = { errorType: 'InvalidRequestContentException', errorMessage: String(error), trace: [] };
        resolve({ ok: false, error: record, requestId, durationMs: 0 });
        return;
      }
      const id = randomUUID();
      const timer = setTimeout(() => this.timedOut(), timeoutMs);
      this.pending = { id, resolve, started, requestId, timer };
      this.memory.start();
      this.process.send({ type: 'invoke', id, event: serialized, requestId, deadline: started + timeoutMs });
    });
  }

  /** Ends the process; resolves once it has exited. */
  stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    return this.exited;
  }

  private timedOut(): void {
    const { fn } = this;
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.busy = false;
    this.memory.stop();
    const message = `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`;
    this.log.line(fn.name, `RequestId: ${pending.requestId} ${message}`);
    this.owner.discard(this);
    const error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${pending.requestId} Error: ${message}` };
    pending.resolve({
      ok: false,
      error: { ...error, trace: [] },
      requestId: pending.requestId,
      durationMs: Date.now() - pending.started,
    });
  }

  /** As Lambda's cgroup does: the process is killed on the spot; its exit then fails the invocation. */
  private outOfMemory(peakMb: number): void {
    this.killedFor = 'memory';
    const requestId = this.pending?.requestId ?? '-';
    this.log.line(
      this.fn.name,
      `RequestId: ${requestId} Error: Runtime exited with error: signal: killed Runtime.OutOfMemory ` +
        `(resident memory ${peakMb} MB, MemorySize ${this.fn.memoryMb} MB)`,
    );
    this.process.kill('SIGKILL');
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
    } else if (message.type === 'crash') {
      this.finish({ ok: false, error: message.error as FunctionErrorRecord });
      this.owner.discard(this);
    } else if (message.type === 'result' && this.pending?.id === message.id) {
      this.memory.stop();
      // A peak past MemorySize between two reads still fails the invocation: Lambda would have killed it.
      if (this.memory.check(message.peakRssKb)) return;
      this.finish(
        message.ok
          ? { ok: true, payload: message.payload as string }
          : { ok: false, error: message.error as FunctionErrorRecord },
      );
    }
  }

  private onExit(code: number | null, signal: string | null, error?: Error): void {
    this.memory.stop();
    const requestId = this.pending?.requestId ?? '-';
    const record =
      this.killedFor === 'memory' || this.heapExhausted
        ? outOfMemoryRecord(requestId)
        : error
          ? { errorType: 'Runtime.ExitError', errorMessage: `Runtime could not start: ${error.message}`, trace: [] }
          : exitRecord(requestId, code, signal);
    this.settleReady.reject(new FunctionError(record));
    this.finish({ ok: false, error: record });
    this.owner.discard(this);
  }

  private forwardLogs(): void {
    const { stdout, stderr } = this.process;
    if (stdout) createInterface({ input: stdout }).on('line', (line) => this.log.line(this.fn.name, line));
    if (stderr) {
      createInterface({ input: stderr }).on('line', (line) => {
        if (HEAP_EXHAUSTED.test(line)) this.heapExhausted = true;
        this.log.line(this.fn.name, line);
      });
    }
  }
}
