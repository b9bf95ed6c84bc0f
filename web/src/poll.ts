/**
 * Status polling: ask again after a delay that grows while nothing changes and falls back to the first delay when
 * something does; stop when the caller says everything is terminal, or after a long quiet spell (nothing polls
 * forever in a forgotten tab).
 */
export interface Backoff {
  firstMs: number;
  factor: number;
  maxMs: number;
  /** Stop after this many polls in a row without a change. */
  maxQuietPolls: number;
}

/** About 1 s, 1.5 s, 2.3 s ... up to 15 s; 60 quiet polls are a quarter of an hour. */
export const STATUS_BACKOFF: Backoff = { firstMs: 1000, factor: 1.5, maxMs: 15000, maxQuietPolls: 60 };

/** The delay before the next poll, after `quiet` polls in a row that changed nothing. */
export function delayAfter(quiet: number, backoff: Backoff = STATUS_BACKOFF): number {
  return Math.min(backoff.maxMs, Math.round(backoff.firstMs * backoff.factor ** Math.max(0, quiet)));
}

/** What one poll found. A failed poll (network, 429, 5xx) is `changed: false`: it backs off like a quiet one. */
export interface PollOutcome {
  changed: boolean;
  done: boolean;
}

export type PollState = 'polling' | 'done' | 'gave-up' | 'stopped';

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Poller {
  /** Something changed outside the poll (a new upload): poll soon, at the first delay again. */
  kick(): void;
  stop(): void;
}

export function startPolling(
  poll: () => Promise<PollOutcome>,
  onState: (state: PollState) => void,
  backoff: Backoff = STATUS_BACKOFF,
  timers: Timers = browserTimers,
): Poller {
  let state: PollState = 'polling';
  let quiet = 0;
  let handle: unknown;
  let running = false;

  function schedule(ms: number) {
    if (handle !== undefined) timers.clear(handle);
    handle = timers.set(() => void tick(), ms);
  }

  function enter(next: PollState) {
    state = next;
    onState(next);
  }

  async function tick() {
    handle = undefined;
    if (running || state !== 'polling') return;
    running = true;
    const outcome = await poll().catch((): PollOutcome => ({ changed: false, done: false }));
    running = false;
    if (state !== 'polling') return;
    if (outcome.done) return enter('done');
    quiet = outcome.changed ? 0 : quiet + 1;
    if (quiet >= backoff.maxQuietPolls) return enter('gave-up');
    schedule(delayAfter(quiet, backoff));
  }

  enter('polling');
  schedule(delayAfter(0, backoff));
  return {
    kick() {
      if (state === 'stopped') return;
      if (state !== 'polling') enter('polling');
      quiet = 0;
      // A poll in flight schedules the next one itself, from the reset count.
      if (!running) schedule(delayAfter(0, backoff));
    },
    stop() {
      state = 'stopped';
      if (handle !== undefined) timers.clear(handle);
      handle = undefined;
    },
  };
}
