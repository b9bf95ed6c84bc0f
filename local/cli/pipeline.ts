import { existsSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, integerOption, quietNodeVersionWarning, stringOption, UsageError, type ParsedArgs } from './args';
import { fileLog } from '../log';
import { NotificationCollector } from '../pipeline/notifications';
import { keyFor, processPhoto, runAll, type PipelineResult } from '../pipeline/run';
import { EndpointUnreachable, resolveTarget, StackNotFound, type PipelineTarget } from '../pipeline/target';
import { DataFolderInUse, DEFAULT_PORT, defaultDataDir, PortInUse, startLocalStack, type LocalStack } from '../stack';
import { TemplateError } from '../stack-model';

/**
 * npm run pipeline -- [--user local-user] [--album NAME] [--out DIR] [--concurrency N] [--json]
 *                     [--endpoint URL | --stack NAME] [--port N] [--data-dir DIR] [--timeout SECONDS] FILE...
 */
const USAGE = `Usage: npm run -s pipeline -- [options] FILE...
Uploads each file as private/{user}/uploads/[{album}/]{name}, waits for its processing to end and reports.
  --user ID          user id in the key (default local-user)
  --album NAME       album folder in the key (default: none)
  --out DIR          download each thumbnail into DIR
  --concurrency N    files in flight at once (default 4)
  --json             one JSON object per input file on stdout
  --endpoint URL     a running stack (default: AWS_ENDPOINT_URL, else a stack started inside the pipeline)
  --stack NAME       a deployed stack, found through its CloudFormation outputs (with --endpoint: that stack there)
  --port N           port of the stack started inside the pipeline (default ${DEFAULT_PORT})
  --data-dir DIR     its data folder (default .local-data/<port>)
  --timeout SECONDS  longest wait per file (default 300)
Exit status 0 when every file ended SUCCEEDED or UNSUPPORTED, 1 otherwise.`;

const SEGMENT = /^[^/]+$/;

interface Run {
  files: string[];
  user: string;
  album?: string;
  json: boolean;
  concurrency: number;
  timeoutMs: number;
  outDir?: string;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['user', 'album', 'out', 'concurrency', 'endpoint', 'stack', 'port', 'data-dir', 'timeout', 'region'],
    flags: ['json', 'help'],
  });
  if (args.options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const run = runOf(args);
  const progress = new Progress(run.files.length, run.json);
  const opened: Opened = {};
  try {
    const target = await openTarget(args, progress, opened);
    // AWS cannot reach a loopback subscriber: notifications are collected from local endpoints only.
    if (target.endpoint) opened.notifications = await NotificationCollector.start(target.clientConfig as never);
    progress.note(`Uploading ${run.files.length} file(s) to s3://${target.bucket} via ${target.description}`);
    const results = await processAll(target, { ...run, notifications: opened.notifications }, progress);
    progress.finish();
    if (!run.json) process.stdout.write(`${table(results)}\n`);
    return results.every((result) => result.status === 'SUCCEEDED' || result.status === 'UNSUPPORTED') ? 0 : 1;
  } finally {
    await opened.notifications?.close();
    opened.target?.close();
    if (opened.stack) await opened.stack.stop();
  }
}

interface Opened {
  stack?: LocalStack;
  target?: PipelineTarget;
  notifications?: NotificationCollector;
}

/** The run the options ask for, with every file checked and no two files on the same key. */
function runOf(args: ParsedArgs): Run {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('No files given');
  const user = stringOption(args, 'user') ?? 'local-user';
  const album = stringOption(args, 'album');
  if (!SEGMENT.test(user) || user === '.' || user === '..')
    throw new UsageError(`--user "${user}" must be one path segment`);
  if (album !== undefined && (!SEGMENT.test(album) || album === '.' || album === '..'))
    throw new UsageError(`--album "${album}" must be one path segment`);
  const outDir = stringOption(args, 'out');
  const run: Run = {
    files,
    user,
    ...(album ? { album } : {}),
    json: args.options.json === true,
    concurrency: integerOption(args, 'concurrency', 4, 1, 64),
    timeoutMs: integerOption(args, 'timeout', 300, 1, 86_400) * 1000,
    ...(outDir ? { outDir } : {}),
  };
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`No such file: ${file}`);
    if (!statSync(file).isFile()) throw new UsageError(`Not a file: ${file}`);
  }
  const byKey = new Map<string, string>();
  for (const file of files) {
    const key = keyFor({ file, user, ...(album ? { album } : {}) });
    const other = byKey.get(key);
    if (other !== undefined)
      throw new UsageError(
        `${other} and ${file} would both be uploaded as ${key}; give them different names or use separate --album runs`,
      );
    byKey.set(key, file);
  }
  return run;
}

/** The stack the options name (--endpoint, --stack), else a local stack started here; kept in `opened` to close. */
async function openTarget(args: ParsedArgs, progress: Progress, opened: Opened): Promise<PipelineTarget> {
  const endpointOption = stringOption(args, 'endpoint') ?? (process.env.AWS_ENDPOINT_URL || undefined);
  const stackName = stringOption(args, 'stack');
  if (endpointOption === undefined && stackName === undefined) {
    const port = integerOption(args, 'port', Number(process.env.LOCAL_STACK_PORT ?? DEFAULT_PORT));
    const dataDir = path.resolve(
      stringOption(args, 'data-dir') ??
        (port === 0 ? mkdtempSync(path.join(os.tmpdir(), 'pipeline-stack-')) : defaultDataDir(port)),
    );
    progress.note(`Starting the local stack on port ${port} (data in ${dataDir})...`);
    const stack = await startLocalStack({ port, dataDir, log: fileLog(path.join(dataDir, 'stack.log')), warm: true });
    opened.stack = stack;
    progress.note(`Local stack on ${stack.endpoint} (its log: ${path.join(stack.dataDir, 'stack.log')})`);
    opened.target = await resolveTarget({
      endpoint: stack.endpoint,
      stackName: stack.model.identity.stackName,
      region: stack.model.identity.region,
    });
  } else {
    opened.target = await resolveTarget({
      ...(endpointOption ? { endpoint: endpointOption } : {}),
      ...(stackName ? { stackName } : {}),
      ...(stringOption(args, 'region') ? { region: stringOption(args, 'region') as string } : {}),
    });
  }
  return opened.target;
}

/** Every file through the pipeline, `concurrency` at a time; a file that cannot be processed is a FAILED result. */
function processAll(
  target: PipelineTarget,
  run: Run & { notifications?: NotificationCollector | undefined },
  progress: Progress,
): Promise<PipelineResult[]> {
  const { user, album, outDir, timeoutMs, notifications } = run;
  return runAll(
    run.files,
    run.concurrency,
    async (file) => {
      const result = await processPhoto(target, {
        file,
        user,
        ...(album ? { album } : {}),
        ...(outDir ? { outDir } : {}),
        ...(notifications ? { notifications } : {}),
        timeoutMs,
      }).catch((error: unknown): PipelineResult => ({
        file,
        key: keyFor({ file, user, ...(album ? { album } : {}) }),
        status: 'FAILED',
        executionArn: null,
        error: { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) },
        item: null,
        thumbnailFile: null,
        notifications: [],
      }));
      progress.done(result);
      return result;
    },
    (result) => {
      if (run.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    },
  );
}

class Progress {
  private finished = 0;
  private failed = 0;
  private readonly bar: boolean;
  constructor(
    private readonly total: number,
    private readonly json: boolean,
  ) {
    this.bar = Boolean(process.stderr.isTTY) && total > 1;
  }
  note(message: string) {
    process.stderr.write(`${message}\n`);
  }
  done(result: PipelineResult) {
    this.finished += 1;
    if (result.status === 'FAILED') this.failed += 1;
    if (this.bar) {
      const width = 30;
      const filled = Math.round((this.finished / this.total) * width);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.finished}/${this.total}${this.failed ? `, ${this.failed} failed` : ''}  `,
      );
    } else if (!this.json || this.total > 1) {
      process.stderr.write(
        `${this.finished}/${this.total} ${result.file}: ${result.status}${result.error ? ` (${result.error.name})` : ''}\n`,
      );
    }
  }
  finish() {
    if (this.bar) process.stderr.write('\n');
  }
}

function table(results: PipelineResult[]): string {
  const rows = results.map((result) => {
    const item = result.item ?? {};
    const labels = Array.isArray(item.labels)
      ? (item.labels as { name: string }[])
          .slice(0, 3)
          .map((label) => label.name)
          .join(', ')
      : '';
    const thumbnail = item.thumbnail as { width?: number; height?: number } | undefined;
    const faces = (item.faces as { count?: number } | undefined)?.count;
    return [
      path.basename(result.file),
      result.status,
      String(item.format ?? ''),
      item.width ? `${String(item.width)}x${String(item.height)}` : '',
      labels,
      faces === undefined ? '' : String(faces),
      result.thumbnailFile ?? (thumbnail ? `${thumbnail.width}x${thumbnail.height}` : ''),
      result.error ? `${result.error.name}: ${result.error.message}`.slice(0, 80) : '',
    ];
  });
  const header = ['FILE', 'STATUS', 'FORMAT', 'SIZE', 'LABELS', 'FACES', 'THUMBNAIL', 'ERROR'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

quietNodeVersionWarning();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = [UsageError, EndpointUnreachable, StackNotFound, PortInUse, DataFolderInUse, TemplateError].some(
      (type) => error instanceof type,
    );
    process.stderr.write(
      `pipeline: ${known ? (error as Error).message : `${(error as Error).name}: ${(error as Error).message}`}\n`,
    );
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exit(1);
  },
);
