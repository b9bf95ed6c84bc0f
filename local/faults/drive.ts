import type { FaultPlan, PlannedObject, PlannedVersion } from './plan';

/**
 * Plays the plan's uploads against the stack, `concurrency` objects at a time, each object's steps in order with
 * their pauses (a re-upload 0-1.5 s after the first, a delete during processing, ...), then waits (`finished`,
 * bounded) until the stack is done with the object before taking the next: the stack then holds about `concurrency`
 * objects at once, so a delete 0-2.5 s after an upload lands while its execution runs, not while its event still
 * waits in a backlog. Before the object the plan
 * names, it lets the run's requests in flight finish, holds new ones, and restarts the stack (a kill and a start on
 * the same data folder), then goes on. Past `deadline` (ms since the epoch) it starts no further object: the run
 * stops by itself, and says how many objects it skipped.
 */
export interface DriveActions {
  put(object: PlannedObject, version: PlannedVersion): Promise<void>;
  remove(object: PlannedObject): Promise<void>;
  restart(): Promise<void>;
  /** Resolves when the stack is done with the object (or has taken too long); never rejects. */
  finished?(object: PlannedObject): Promise<void>;
}

export interface DriveResult {
  puts: number;
  deletes: number;
  /** Requests of the run itself that failed (a problem of the run, not of the backend). */
  errors: string[];
  restartedAtMs: number | undefined;
  /** Objects not started because the deadline passed. */
  skipped: number;
}

export async function drive(
  plan: FaultPlan,
  concurrency: number,
  actions: DriveActions,
  deadline = Number.POSITIVE_INFINITY,
): Promise<DriveResult> {
  const gate = new Gate();
  const started = Date.now();
  const result: DriveResult = { puts: 0, deletes: 0, errors: [], restartedAtMs: undefined, skipped: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next;
      next += 1;
      const object = plan.objects[index];
      if (!object) return;
      if (Date.now() > deadline) {
        result.skipped += 1;
        continue;
      }
      if (index === plan.restart.afterObject) {
        await gate.hold(async () => {
          result.restartedAtMs = Date.now() - started;
          await actions.restart();
        });
      }
      await playObject(object, actions, gate, result);
      await actions.finished?.(object);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return result;
}

async function playObject(object: PlannedObject, actions: DriveActions, gate: Gate, result: DriveResult) {
  for (const step of object.steps) {
    if (step.afterMs > 0) await new Promise((resolve) => setTimeout(resolve, step.afterMs));
    try {
      if (step.action === 'put') {
        const version = object.versions[step.version] as PlannedVersion;
        await gate.run(() => actions.put(object, version));
        result.puts += 1;
      } else {
        await gate.run(() => actions.remove(object));
        result.deletes += 1;
      }
    } catch (error) {
      result.errors.push(`${step.action} ${object.key}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
}

/** Requests pass while it is open; `hold` waits for those in flight, runs its work alone, then opens again. */
export class Gate {
  private inFlight = 0;
  private closed: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  async run<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  async hold(work: () => Promise<void>): Promise<void> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      await work();
    } finally {
      this.closed = undefined;
      open();
    }
  }
}
