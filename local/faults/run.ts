import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotificationCollector } from '../pipeline/notifications';
import { functionNameOf } from '../lambda/outcome';
import { loadStackModel } from '../stack-model';
import { harnessClients, type HarnessClients } from './clients';
import { drive, type DriveResult } from './drive';
import { imageOf } from './images';
import { objectFinished, observe, runningExecutions, settle } from './observe';
import { planFaults, type FaultPlan } from './plan';
import { reconcile, RECONCILED_OUTCOME, type Reconciliation } from './reconcile';
import { StackChild } from './stack-child';

/**
 * `npm run faults`: plans the run from its seed, starts the local stack in a child process with the plan's faults,
 * plays the uploads (killing and restarting the stack once on the way), waits until the stack is done, reads back
 * what it holds and reconciles it against the plan.
 */
export interface FaultRunOptions {
  uploads: number;
  seed: number;
  concurrency: number;
  /** 0: a free port. */
  port: number;
  /** Default: a new temp folder, deleted afterwards unless `keep`. */
  dataDir?: string;
  keep?: boolean;
  /** How long the stack may take to finish once every upload is in, at most. */
  settleTimeoutMs: number;
  /** The whole run's limit: past it no further object is started and the wait for the stack ends. */
  deadlineMs: number;
  /** How long nothing may change for the stack to count as done. */
  quietMs?: number;
  /** Step Functions retry intervals (tests); default: the ASL's. */
  retryIntervalMs?: number;
  progress?: (line: string) => void;
}

export const PASS_COUNTS = ['lost', 'stuck', 'duplicated', 'wrongVersion', 'leftover', 'albumCount'] as const;

export interface FaultRunReport {
  uploads: number;
  lost: number;
  stuck: number;
  duplicated: number;
  wrongVersion: number;
  leftover: number;
  albumCount: number;
  unplanned: number;
  passed: boolean;
  seed: number;
  objects: number;
  deletes: number;
  live: number;
  deleted: number;
  statuses: Record<string, number>;
  failures: Record<string, number>;
  executions: number;
  notifications: Reconciliation['notifications'];
  injected: Record<string, number>;
  restart: { afterObject: number; atSeconds: number | null; downMs: number; runningAtKill: number };
  settled: boolean;
  /** The deadline passed: `skipped` objects were never uploaded, or the stack had not finished. */
  timedOut: boolean;
  skipped: number;
  runErrors: number;
  seconds: number;
  dataDir: string | null;
  problems: Reconciliation['problems'];
}

/** The functions an upload or a delete invokes: the state machines' and the targets of S3 rules. */
export function uploadPathFunctions(): string[] {
  const model = loadStackModel({
    identity: { region: 'us-east-1', accountId: '000000000000', stackName: 'local', endpoint: 'http://127.0.0.1' },
  });
  const inMachines = model.functions.filter((fn) => model.stateMachines.some((m) => m.definition.includes(fn.arn)));
  const onS3 = model.rules
    .filter((rule) => JSON.stringify(rule.pattern.source ?? '').includes('aws.s3'))
    .map((rule) => functionNameOf(rule.target));
  return [...new Set([...inMachines.map((fn) => fn.name), ...onS3])].sort();
}

/** How long the restart waits for an execution to be running, so that the kill cuts some off. */
const RUNNING_WAIT_MS = 20_000;
/** How long a worker of the run waits for the stack to be done with its object before it takes the next one. */
const OBJECT_WAIT_MS = 60_000;

export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const started = Date.now();
  const deadline = started + options.deadlineMs;
  let runningAtKill = 0;
  const note = options.progress ?? (() => undefined);
  const plan = planFaults({ seed: options.seed, uploads: options.uploads, functions: uploadPathFunctions() });
  const work = mkdtempSync(path.join(os.tmpdir(), 'faults-run-'));
  const dataDir = path.resolve(options.dataDir ?? path.join(work, 'data'));
  mkdirSync(dataDir, { recursive: true });
  const planFile = path.join(work, 'plan.json');
  const journal = path.join(work, 'injected.jsonl');
  writeFileSync(planFile, JSON.stringify(plan));
  writeFileSync(journal, '');
  const childOptions = {
    planFile,
    journal,
    dataDir,
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
    onStderr: (text: string) => note(`stack: ${text.trimEnd()}`),
  };
  note(
    `plan: ${plan.objects.length} objects, ${plan.uploads} uploads, restart before object ${plan.restart.afterObject}`,
  );
  let child = await StackChild.start({ ...childOptions, port: options.port, phase: 0 });
  const clients = await harnessClients(child.endpoint);
  const collector = await NotificationCollector.start(clients.config as never);
  try {
    const driven = await drive(
      plan,
      options.concurrency,
      {
        put: async (object, version) => putVersion(clients, object.key, version),
        remove: async (object) => {
          await clients.s3.send(new DeleteObjectCommand({ Bucket: clients.outputs.bucket, Key: object.key }));
        },
        restart: async () => {
          runningAtKill = await runningExecutions(clients, RUNNING_WAIT_MS);
          note(`restart: killing the stack (SIGKILL) with ${runningAtKill} execution(s) running`);
          await child.kill();
          await new Promise((resolve) => setTimeout(resolve, plan.restart.downMs));
          child = await StackChild.start({ ...childOptions, port: child.port, phase: 1 });
          note('restart: the stack is back');
        },
        finished: async (object) => {
          const waitMs = Math.max(1, Math.min(OBJECT_WAIT_MS, deadline - Date.now()));
          await objectFinished(clients, object, waitMs);
        },
      },
      deadline,
    );
    if (driven.skipped > 0) note(`the deadline passed: ${driven.skipped} object(s) not uploaded`);
    note(`uploads done (${driven.puts} puts, ${driven.deletes} deletes); waiting for the stack to finish`);
    const settled = await settle(clients, (timeoutMs) => child.idle(timeoutMs), {
      quietMs: options.quietMs ?? 3000,
      timeoutMs: Math.max(1, Math.min(options.settleTimeoutMs, deadline - Date.now())),
    });
    note(settled ? 'the stack is done; reconciling' : 'the stack did not settle in time; reconciling what is there');
    const verdict = await verdictOf(plan, clients, collector);
    return reportOf({
      plan,
      driven,
      verdict,
      settled,
      timedOut: driven.skipped > 0 || (!settled && Date.now() >= deadline),
      runningAtKill,
      journal,
      started,
      dataDir: options.keep ? dataDir : null,
    });
  } finally {
    await collector.close().catch(() => undefined);
    clients.close();
    await child.stop();
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }
}

async function putVersion(
  clients: HarnessClients,
  key: string,
  version: FaultPlan['objects'][number]['versions'][number],
) {
  const image = await imageOf(version);
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: clients.outputs.bucket,
      Key: key,
      Body: image.bytes,
      ContentType: image.contentType,
    }),
  );
}

async function verdictOf(plan: FaultPlan, clients: HarnessClients, collector: NotificationCollector) {
  const etags: Record<string, string[]> = {};
  for (const object of plan.objects)
    etags[object.key] = await Promise.all(object.versions.map(async (version) => (await imageOf(version)).etag));
  const observed = await observe(plan, clients);
  const notifications = collector.all().map((notification) => ({
    imageId: notification.attributes.imageId,
    status: notification.attributes.status,
    reconciled: RECONCILED_OUTCOME.test(notification.message),
  }));
  return reconcile({ plan, etags, observed, notifications });
}

function reportOf(run: {
  plan: FaultPlan;
  driven: DriveResult;
  verdict: Reconciliation;
  settled: boolean;
  timedOut: boolean;
  runningAtKill: number;
  journal: string;
  started: number;
  dataDir: string | null;
}): FaultRunReport {
  const { plan, driven, verdict } = run;
  const counts = verdict.counts;
  return {
    uploads: plan.uploads,
    ...counts,
    passed:
      PASS_COUNTS.every((kind) => counts[kind] === 0) &&
      counts.unplanned === 0 &&
      driven.errors.length === 0 &&
      run.settled &&
      !run.timedOut,
    seed: plan.seed,
    objects: plan.objects.length,
    deletes: driven.deletes,
    live: verdict.live,
    deleted: verdict.deleted,
    statuses: verdict.statuses,
    failures: verdict.failures,
    executions: verdict.executions,
    notifications: verdict.notifications,
    injected: injectedCounts(run.journal),
    restart: {
      afterObject: plan.restart.afterObject,
      atSeconds: driven.restartedAtMs === undefined ? null : Math.round(driven.restartedAtMs / 100) / 10,
      downMs: plan.restart.downMs,
      runningAtKill: run.runningAtKill,
    },
    settled: run.settled,
    timedOut: run.timedOut,
    skipped: driven.skipped,
    runErrors: driven.errors.length,
    seconds: Math.round((Date.now() - run.started) / 100) / 10,
    dataDir: run.dataDir,
    problems: verdict.problems.slice(0, 50),
  };
}

/** What the stack injected, by fault and kind, from the journal both of its lives appended to. */
function injectedCounts(journal: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { fault: string; kind?: string; service?: string };
    const name =
      entry.fault === 'delivery'
        ? 'delivery'
        : `${entry.fault}.${entry.service ? `${entry.service}.` : ''}${entry.kind}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
