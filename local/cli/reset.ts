import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, quietNodeVersionWarning, stringOption, UsageError } from './args';
import { DATA_ROOT, defaultDataDir } from '../stack';

/**
 * npm run reset [-- --port N | --data-dir DIR]: deletes the local stack's data (every stack's, by default).
 * A folder a running stack holds is left alone, with a message.
 */
function main(argv: string[]): number {
  const args = parseArgs(argv, { values: ['port', 'data-dir'], flags: ['help'] });
  if (args.options.help) {
    process.stdout.write('Usage: npm run reset -- [--port N | --data-dir DIR]   (default: all of .local-data/)\n');
    return 0;
  }
  const dataDir = stringOption(args, 'data-dir');
  const port = stringOption(args, 'port');
  const folders = dataDir
    ? [path.resolve(dataDir)]
    : port
      ? [defaultDataDir(Number(port))]
      : existsSync(DATA_ROOT)
        ? readdirSync(DATA_ROOT).map((name) => path.join(DATA_ROOT, name))
        : [];
  let refused = 0;
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    const holder = lockHolder(folder);
    if (holder !== undefined) {
      process.stderr.write(`reset: ${folder} is in use by a running local stack (pid ${holder}); stop it first\n`);
      refused += 1;
      continue;
    }
    rmSync(folder, { recursive: true, force: true });
    process.stdout.write(`removed ${path.relative(process.cwd(), folder) || folder}\n`);
  }
  if (folders.length === 0) process.stdout.write('nothing to remove\n');
  return refused > 0 ? 1 : 0;
}

function lockHolder(folder: string): number | undefined {
  const lock = path.join(folder, 'stack.lock');
  if (!existsSync(lock)) return undefined;
  const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  if (!Number.isInteger(pid)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

quietNodeVersionWarning();
try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(`reset: ${error instanceof UsageError ? error.message : String(error)}\n`);
  process.exit(1);
}
