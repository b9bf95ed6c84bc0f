import { convertedKeyFor, imageIdFor, parseUploadKey, thumbnailKeyFor } from '../../functions/lib/upload-key';
import { sameEtag, type SeenImage } from './images';
import type { ObservedExecution, Observed } from './observe';
import type { FaultPlan, PlannedObject, PlannedVersion } from './plan';

/**
 * The verdict of a fault run, from the plan and what the stack holds at the end (./observe.ts); pure, so each check
 * can be shown failing on a broken state. Every object that still exists must have exactly one terminal item for its
 * newest version (the version is the ETag of the execution input that made the item, which must be the object's ETag
 * now); a SUCCEEDED item must have a thumbnail of that version (its colour and shape); nothing may be PROCESSING or
 * RUNNING; no upload version may have two executions, no execution two notifications, no photo more notifications
 * than its executions published; a deleted object leaves no item, thumbnail or rendition; album counts match the
 * photos in them.
 */
export type ProblemKind = 'lost' | 'stuck' | 'duplicated' | 'wrongVersion' | 'leftover' | 'albumCount' | 'unplanned';

export interface Problem {
  kind: ProblemKind;
  key: string;
  detail: string;
}

export interface NotificationSeen {
  imageId?: string;
  status?: string;
  /** Sent by ReconcileExecution for an execution that ended before NotifyResult (not by an execution). */
  reconciled?: boolean;
}

/** The outcome line ReconcileExecution's message carries (functions/lib/reconcile.ts, notification.ts). */
export const RECONCILED_OUTCOME = /^Outcome: FAILED: Execution(?:Aborted|Failed|TimedOut): /m;

export interface ReconcileInput {
  plan: FaultPlan;
  /** Planned key -> the ETag of each of its versions. */
  etags: Record<string, string[]>;
  observed: Observed;
  notifications: NotificationSeen[];
}

export interface Reconciliation {
  /** Objects (keys) with at least one problem of each kind. */
  counts: Record<ProblemKind, number>;
  /** Final statuses of the items of objects that exist. */
  statuses: Record<string, number>;
  /** Why the FAILED ones failed: `state: error name` -> how many. */
  failures: Record<string, number>;
  live: number;
  deleted: number;
  executions: number;
  notifications: { received: number; published: number; unnotified: number };
  problems: Problem[];
}

type Item = Record<string, unknown>;

export function reconcile(input: ReconcileInput): Reconciliation {
  const { plan, observed } = input;
  const items = new Map(observed.items.map((item) => [String(item.imageId), item]));
  const executions = new Map(observed.executions.map((execution) => [execution.arn, execution]));
  const problems: Problem[] = [];
  const statuses: Record<string, number> = {};
  const failures: Record<string, number> = {};
  const keys = new Set(observed.keys);
  let live = 0;
  for (const object of plan.objects) {
    const now = observed.objects[object.key] ?? null;
    const item = items.get(imageIdFor(object.key));
    if (now === null) {
      problems.push(...deletedProblems(object, item, keys));
      continue;
    }
    live += 1;
    if (item && typeof item.status === 'string') statuses[item.status] = (statuses[item.status] ?? 0) + 1;
    if (item?.status === 'FAILED') {
      const reason = failureOf(item);
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    problems.push(...liveProblems(object, now, item, { ...input, executions }));
  }
  problems.push(...executionProblems(observed.executions));
  const notified = notificationProblems(input, items);
  problems.push(...notified.problems, ...albumProblems(observed));
  return {
    counts: countsOf(problems),
    statuses,
    failures,
    live,
    deleted: plan.objects.length - live,
    executions: observed.executions.length,
    notifications: {
      received: input.notifications.length,
      published: observed.executions.reduce((sum, execution) => sum + execution.publishes, 0),
      unnotified: notified.unnotified,
    },
    problems,
  };
}

function failureOf(item: Item): string {
  const error = (item.error ?? {}) as { name?: unknown; state?: unknown };
  return `${String(error.state ?? '?')}: ${String(error.name ?? '?')}`;
}

function countsOf(problems: Problem[]): Record<ProblemKind, number> {
  const kinds: ProblemKind[] = ['lost', 'stuck', 'duplicated', 'wrongVersion', 'leftover', 'albumCount', 'unplanned'];
  return Object.fromEntries(
    kinds.map((kind) => [kind, new Set(problems.filter((p) => p.kind === kind).map((p) => p.key)).size]),
  ) as Record<ProblemKind, number>;
}

function liveProblems(
  object: PlannedObject,
  etagNow: string,
  item: Item | undefined,
  context: ReconcileInput & { executions: Map<string, ObservedExecution> },
): Problem[] {
  const problem = (kind: ProblemKind, detail: string): Problem[] => [{ kind, key: object.key, detail }];
  const index = (context.etags[object.key] ?? []).findIndex((etag) => sameEtag(etag, etagNow));
  const version = object.versions[index];
  if (!version) return problem('unplanned', `the object holds ${etagNow}, which no planned version has`);
  if (!item || typeof item.status !== 'string') return problem('lost', `version ${index} exists but has no item`);
  if (item.status === 'PROCESSING') return problem('stuck', `item PROCESSING (${String(item.executionArn)})`);
  const execution = context.executions.get(String(item.executionArn));
  const found: Problem[] = [];
  if (!execution || !sameEtag(execution.etag, etagNow) || execution.sequencer !== item.sequencer) {
    const held = (context.etags[object.key] ?? []).findIndex((etag) => sameEtag(etag, execution?.etag));
    found.push(...problem('wrongVersion', `item ${String(item.status)} is of version ${held}, the object of ${index}`));
  }
  found.push(...statusProblems(object.key, version, item));
  if (item.status === 'SUCCEEDED') {
    const thumbnailKey = (item.thumbnail as { key?: string } | undefined)?.key;
    const seen = thumbnailKey === undefined ? undefined : context.observed.thumbnails[thumbnailKey];
    if (!seen) found.push(...problem('lost', `SUCCEEDED without its thumbnail ${thumbnailKey ?? '(none named)'}`));
    else if (!showsVersion(seen, version))
      found.push(
        ...problem(
          'wrongVersion',
          `thumbnail ${seen.width}x${seen.height} colour ${seen.color} is not version ${index}'s`,
        ),
      );
  }
  return found;
}

/** A GIF ends UNSUPPORTED, a JPEG or PNG not; the item's size is the version's. FAILED is a possible outcome of faults. */
function statusProblems(key: string, version: PlannedVersion, item: Item): Problem[] {
  const unsupported = version.kind === 'gif';
  const found: Problem[] = [];
  if ((item.status === 'UNSUPPORTED') !== unsupported && item.status !== 'FAILED')
    found.push({ kind: 'wrongVersion', key, detail: `item ${String(item.status)} for a ${version.kind} version` });
  if (typeof item.width === 'number' && (item.width !== version.width || item.height !== version.height))
    found.push({
      kind: 'wrongVersion',
      key,
      detail: `item is ${String(item.width)}x${String(item.height)}, the version ${version.width}x${version.height}`,
    });
  return found;
}

function showsVersion(seen: SeenImage, version: PlannedVersion): boolean {
  const shape = (width: number, height: number) => Math.sign(Math.round((width - height) / Math.max(1, height / 20)));
  return seen.color === version.color && shape(seen.width, seen.height) === shape(version.width, version.height);
}

function deletedProblems(object: PlannedObject, item: Item | undefined, keys: Set<string>): Problem[] {
  const found: Problem[] = [];
  if (item && typeof item.status === 'string')
    found.push({ kind: 'leftover', key: object.key, detail: `deleted, but its item is ${item.status}` });
  const parsed = parseUploadKey(object.key);
  for (const derived of [thumbnailKeyFor(parsed), convertedKeyFor(parsed)])
    if (keys.has(derived)) found.push({ kind: 'leftover', key: object.key, detail: `deleted, but ${derived} is left` });
  return found;
}

function executionProblems(executions: ObservedExecution[]): Problem[] {
  const found: Problem[] = [];
  const byVersion = new Map<string, ObservedExecution[]>();
  for (const execution of executions) {
    const key = execution.key ?? execution.arn;
    if (execution.status === 'RUNNING') found.push({ kind: 'stuck', key, detail: `${execution.arn} still RUNNING` });
    if (execution.publishes > 1)
      found.push({
        kind: 'duplicated',
        key,
        detail: `${execution.arn} published ${execution.publishes} notifications`,
      });
    const version = `${key} ${execution.sequencer ?? ''}`;
    byVersion.set(version, [...(byVersion.get(version) ?? []), execution]);
  }
  for (const [version, all] of byVersion)
    if (all.length > 1)
      found.push({ kind: 'duplicated', key: version.split(' ')[0] ?? version, detail: `${all.length} executions` });
  return found;
}

/**
 * Per photo: no more notifications than its executions published, and no more from ReconcileExecution than its
 * executions ended FAILED, TIMED_OUT or ABORTED without publishing. A terminal item that got neither is counted
 * (not a failure).
 */
function notificationProblems(input: ReconcileInput, items: Map<string, Item>) {
  const published = new Map<string, number>();
  const unpublishedEnds = new Map<string, number>();
  const add = (map: Map<string, number>, id: string, n: number) => map.set(id, (map.get(id) ?? 0) + n);
  for (const execution of input.observed.executions)
    if (execution.key) {
      const id = imageIdFor(execution.key);
      add(published, id, execution.publishes);
      const endedEarly = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status) && execution.publishes === 0;
      add(unpublishedEnds, id, endedEarly ? 1 : 0);
    }
  const received = new Map<string, number>();
  const reconciled = new Map<string, number>();
  for (const notification of input.notifications)
    add(notification.reconciled ? reconciled : received, String(notification.imageId), 1);
  const problems: Problem[] = [];
  const check = (counts: Map<string, number>, expected: Map<string, number>, what: string) => {
    for (const [imageId, count] of counts) {
      const allowed = expected.get(imageId) ?? 0;
      const key = String(items.get(imageId)?.key ?? imageId);
      if (count > allowed) problems.push({ kind: 'duplicated', key, detail: `${count} ${what}, ${allowed} allowed` });
    }
  };
  check(received, published, 'notifications published');
  check(reconciled, unpublishedEnds, 'notifications of reconciled executions');
  const executions = new Map(input.observed.executions.map((execution) => [execution.arn, execution]));
  const unnotified = input.observed.items.filter(
    (item) =>
      (item.status === 'SUCCEEDED' || item.status === 'UNSUPPORTED' || item.status === 'FAILED') &&
      (executions.get(String(item.executionArn))?.publishes ?? 0) === 0 &&
      !reconciled.has(String(item.imageId)),
  ).length;
  return { problems, unnotified };
}

function albumProblems(observed: Observed): Problem[] {
  const counted = new Map<string, number>();
  for (const item of observed.items)
    if (typeof item.status === 'string' && typeof item.albumId === 'string') {
      const album = `${String(item.userId)}/${item.albumId}`;
      counted.set(album, (counted.get(album) ?? 0) + 1);
    }
  const recorded = new Map(
    observed.albums.map((album) => [`${String(album.userId)}/${String(album.albumId)}`, Number(album.photoCount ?? 0)]),
  );
  const problems: Problem[] = [];
  for (const album of new Set([...counted.keys(), ...recorded.keys()])) {
    const photos = counted.get(album) ?? 0;
    const count = recorded.get(album) ?? 0;
    if (photos !== count)
      problems.push({ kind: 'albumCount', key: album, detail: `photoCount ${count}, ${photos} photos in it` });
  }
  return problems;
}
