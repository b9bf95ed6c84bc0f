import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalStack, type LocalStackOptions } from '../../local/stack';

/**
 * A local stack in a process of its own, so a test can kill it (SIGKILL: a crash, not a stop) and start another on the
 * same data folder. Its one argument is the LocalStackOptions as JSON; it answers `{ready, endpoint}` over IPC and
 * stops on SIGTERM or when its parent goes away. The log is written line by line, so it survives the kill.
 */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LocalStackOptions & { dataDir: string };
  const logFile = path.join(options.dataDir, 'stack.log');
  const stack = await startLocalStack({
    ...options,
    log: {
      line: (source, message) => appendFileSync(logFile, `${new Date().toISOString()} [${source}] ${message}\n`),
      close: async () => undefined,
    },
  });
  const stop = () => void stack.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.on('message', (message: { idle?: number }) => {
    if (typeof message.idle === 'number') void stack.idle().then(() => process.send?.({ idle: message.idle }));
  });
  process.send?.({ ready: true, endpoint: stack.endpoint });
}

main().catch((error: unknown) => {
  process.send?.({ ready: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exit(1);
});
