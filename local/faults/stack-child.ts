import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The fault run's side of ./stack-process.ts: starts the stack in a child process (in a process group of its own, so
 * its Lambda sandboxes, threads or processes, die with it), kills it as a crash would, or stops it.
 */
export interface StackChildOptions {
  planFile: string;
  journal: string;
  dataDir: string;
  /** 0: a free port (the restart reuses the port the first start got). */
  port: number;
  phase: number;
  retryIntervalMs?: number;
  /** Where the child's stderr goes (its log is <dataDir>/stack.log). */
  onStderr?: (text: string) => void;
  startTimeoutMs?: number;
}

const ENTRY = path.join(__dirname, 'stack-process.ts');

export class StackChild {
  private readonly exited: Promise<void>;
  private asked = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  static async start(options: StackChildOptions): Promise<StackChild> {
    const args = [
      ...['--plan', options.planFile, '--phase', String(options.phase), '--port', String(options.port)],
      ...['--data-dir', options.dataDir, '--journal', options.journal],
      ...(options.retryIntervalMs === undefined ? [] : ['--retry-interval-ms', String(options.retryIntervalMs)]),
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString('utf8')));
    const ready = await new Promise<{ endpoint: string; port: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new Error('the local stack did not start in time'));
      }, options.startTimeoutMs ?? 120_000);
      child.once('message', (message: { ready: boolean; endpoint?: string; port?: number; error?: string }) => {
        clearTimeout(timer);
        if (message.ready) resolve({ endpoint: message.endpoint as string, port: message.port as number });
        else reject(new Error(`the local stack did not start: ${message.error ?? 'unknown error'}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the local stack exited while starting (${signal ?? `exit ${code}`})`));
      });
    });
    return new StackChild(child, ready.endpoint, ready.port);
  }

  /** Resolves when the stack is idle (no event delivery, execution or publish under way), or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    const id = (this.asked += 1);
    return new Promise((resolve) => {
      const done = (answer: boolean) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(answer);
      };
      const onMessage = (message: { idle?: number }) => {
        if (message.idle === id) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.child.on('message', onMessage);
      this.child.send({ idle: id });
    });
  }

  /** A crash: SIGKILL to the stack's whole process group; nothing is stopped or flushed. */
  async kill(): Promise<void> {
    killGroup(this.child);
    await this.exited;
  }

  /** A clean stop (SIGTERM: the stack stops its services), killed if it takes longer than 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.child), 20_000);
    await this.exited;
    clearTimeout(timer);
    killGroup(this.child);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
