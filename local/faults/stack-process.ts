import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { quietNodeVersionWarning } from '../cli/args';
import type { StackLog } from '../log';
import { startLocalStack } from '../stack';
import { injectionOf } from './injection';
import type { FaultPlan } from './plan';

/**
 * The local stack of a fault run, in a process of its own so the run can kill it (SIGKILL, the whole process group:
 * a crash, not a stop) and start it again on the same data folder. Started by ./stack-child.ts with
 * `--plan FILE --phase N --port N --data-dir DIR --journal FILE`; tells its parent `{ready, endpoint, port}` over IPC,
 * and answers `{idle: n}` to `{idle: n}` once the stack is idle.
 */
interface ChildArgs {
  plan: string;
  phase: number;
  port: number;
  dataDir: string;
  journal: string;
  retryIntervalMs?: number;
}

function argsOf(argv: string[]): ChildArgs {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const required = (name: string) => {
    const found = value(name);
    if (found === undefined) throw new Error(`stack-process: --${name} is required`);
    return found;
  };
  const retry = value('retry-interval-ms');
  return {
    plan: required('plan'),
    phase: Number(required('phase')),
    port: Number(required('port')),
    dataDir: required('data-dir'),
    journal: required('journal'),
    ...(retry === undefined ? {} : { retryIntervalMs: Number(retry) }),
  };
}

async function main(): Promise<void> {
  const args = argsOf(process.argv.slice(2));
  const plan = JSON.parse(readFileSync(args.plan, 'utf8')) as FaultPlan;
  const faults = await injectionOf(plan, args.phase, args.journal);
  const stack = await startLocalStack({
    port: args.port,
    dataDir: args.dataDir,
    log: syncLog(path.join(args.dataDir, 'stack.log')),
    // Sandboxes start on first use: only the functions the uploads need, not the API's too.
    warm: false,
    faults,
    ...(args.retryIntervalMs === undefined ? {} : { retryIntervalMs: args.retryIntervalMs }),
  });
  const stop = () => void stack.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  // The run went away: stop rather than serve nobody.
  process.once('disconnect', stop);
  // The run asks when the stack is idle (no delivery, execution or publish under way), by IPC: no request can.
  process.on('message', (message: { idle?: number }) => {
    if (typeof message.idle === 'number') void stack.idle().then(() => process.send?.({ idle: message.idle }));
  });
  process.send?.({ ready: true, endpoint: stack.endpoint, port: stack.port });
}

/** Written line by line, so what the stack logged is still there after the run kills it. */
function syncLog(file: string): StackLog {
  return {
    line: (source, message) => appendFileSync(file, `${new Date().toISOString()} [${source}] ${message}\n`),
    close: async () => undefined,
  };
}

quietNodeVersionWarning();

main().catch((error: unknown) => {
  process.send?.({ ready: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exit(1);
});
