import { integerOption, parseArgs, quietNodeVersionWarning, stringOption, UsageError } from './args';
import { PASS_COUNTS, runFaults, type FaultRunReport } from '../faults/run';

/**
 * npm run faults -- --uploads N --seed S [--json] [--concurrency C] [--port N] [--data-dir DIR] [--keep]
 *                   [--settle-timeout SECONDS] [--deadline SECONDS]
 */
const USAGE = `Usage: npm run -s faults -- --uploads N --seed S [options]
Runs the local stack in a child process with injected faults (transient S3, DynamoDB, Rekognition and Step Functions
errors, Lambda crashes and timeouts, duplicate and late S3 events, re-uploads, deletes during processing, one kill and
restart of the stack), then reconciles what it holds. The last line is JSON; the exit status is 0 only when lost,
stuck, duplicated, wrongVersion, leftover and albumCount are all 0, the stack finished and the deadline held.
  --uploads N               uploads in all, re-uploads included (default 50)
  --seed S                  the plan's seed (default 1)
  --concurrency C           objects uploaded at once (default 8)
  --json                    print only the JSON line on stdout
  --port N                  the stack's port (default 0: a free one; the restart reuses it)
  --data-dir DIR            the stack's data folder (default: a new temp folder)
  --keep                    keep the data folder and the plan (their path is in the JSON)
  --settle-timeout SECONDS  longest wait for the stack to finish after the last upload (default 120 + N/4)
  --deadline SECONDS        the whole run's limit (default 300 + 4 N): past it no object is started, the wait for
                            the stack ends and the run fails; a run still reconciling 5 minutes later exits 3`;

/** How long past its deadline the run may still be reading the stack back before it gives up. */
const GRACE_MS = 300_000;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['uploads', 'seed', 'concurrency', 'port', 'data-dir', 'settle-timeout', 'deadline'],
    flags: ['json', 'keep', 'help'],
  });
  if (args.options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const uploads = integerOption(args, 'uploads', 50, 1, 100_000);
  const json = args.options.json === true;
  const dataDir = stringOption(args, 'data-dir');
  const deadlineMs = integerOption(args, 'deadline', 300 + 4 * uploads, 1, 7 * 86_400) * 1000;
  // The stack child stops by itself when this process goes away (it watches the IPC channel).
  const watchdog = setTimeout(() => {
    process.stderr.write(`faults: still running ${GRACE_MS / 1000} s past the deadline; giving up\n`);
    process.stdout.write(`${JSON.stringify({ uploads, passed: false, timedOut: true })}\n`);
    process.exit(3);
  }, deadlineMs + GRACE_MS);
  watchdog.unref();
  const report = await runFaults({
    uploads,
    seed: integerOption(args, 'seed', 1, 0, 2 ** 31 - 1),
    concurrency: integerOption(args, 'concurrency', 8, 1, 64),
    port: integerOption(args, 'port', 0),
    ...(dataDir ? { dataDir } : {}),
    keep: args.options.keep === true,
    settleTimeoutMs: integerOption(args, 'settle-timeout', 120 + Math.ceil(uploads / 4), 1, 86_400) * 1000,
    deadlineMs,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  if (!json) process.stdout.write(`${summary(report)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.passed ? 0 : 1;
}

function summary(report: FaultRunReport): string {
  const lines = [
    `faults run, seed ${report.seed}: ${report.uploads} uploads of ${report.objects} objects, ${report.deletes} deletes, ${report.executions} executions, ${report.seconds} s`,
    `restart: before object ${report.restart.afterObject}, at ${String(report.restart.atSeconds)} s, ${report.restart.runningAtKill} execution(s) running, down ${report.restart.downMs} ms`,
    `injected: ${Object.entries(report.injected)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}`,
    `final statuses: ${JSON.stringify(report.statuses)}; ${report.deleted} deleted`,
    `why the FAILED ones failed: ${JSON.stringify(report.failures)}`,
    `notifications: ${JSON.stringify(report.notifications)}`,
    ...PASS_COUNTS.map((kind) => `${kind.padEnd(13)} ${report[kind]}`),
    ...(report.settled ? [] : ['the stack had not finished when the run stopped waiting']),
    ...(report.timedOut ? [`the deadline passed (${report.skipped} object(s) not uploaded)`] : []),
    ...report.problems.slice(0, 20).map((problem) => `  ${problem.kind}: ${problem.key}: ${problem.detail}`),
    report.passed ? 'PASSED' : 'FAILED',
  ];
  return lines.join('\n');
}

quietNodeVersionWarning();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`faults: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exit(2);
  },
);
