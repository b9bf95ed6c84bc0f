import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * Reads a GetExecutionHistory answer the way AWS writes it, so the same checks hold for Step Functions Local,
 * LocalStack, the project's local stack and the in-process runner.
 */

/** Names of the states entered, in history order (`*StateEntered` events' stateEnteredEventDetails.name). */
export function statesEntered(history: HistoryEvent[]): string[] {
  return history
    .filter((event) => event.type?.endsWith('StateEntered'))
    .map((event) => event.stateEnteredEventDetails?.name ?? '?');
}

const ATTEMPT_STARTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const ATTEMPT_FAILURES: Record<string, (event: HistoryEvent) => { error?: string; cause?: string } | undefined> = {
  TaskFailed: (event) => event.taskFailedEventDetails,
  TaskTimedOut: (event) => event.taskTimedOutEventDetails ?? { error: 'States.Timeout' },
  LambdaFunctionFailed: (event) => event.lambdaFunctionFailedEventDetails,
  LambdaFunctionTimedOut: (event) => event.lambdaFunctionTimedOutEventDetails ?? { error: 'States.Timeout' },
  LambdaFunctionScheduleFailed: (event) => event.lambdaFunctionScheduleFailedEventDetails,
  LambdaFunctionStartFailed: (event) => event.lambdaFunctionStartFailedEventDetails,
  TaskSubmitFailed: (event) => event.taskSubmitFailedEventDetails,
  TaskStartFailed: (event) => event.taskStartFailedEventDetails,
};

export interface Attempt {
  /** The error the attempt failed with, or undefined when it succeeded (or the history ends first). */
  error?: string;
}

/**
 * Every attempt of every Task state: each scheduled task is attributed to a state by following previousEventId back
 * to the `*StateEntered` event it descends from (a retry's TaskScheduled follows the TaskFailed before it), which
 * stays right when Parallel branches interleave. Histories without previousEventId fall back to the latest entered
 * Task state.
 */
export function attemptsByState(history: HistoryEvent[]): Record<string, Attempt[]> {
  const byId = new Map(history.filter((event) => event.id !== undefined).map((event) => [event.id as number, event]));
  const attempts: Record<string, Attempt[]> = {};
  const stateOfEvent = new Map<number, string>();
  let latestTask: string | undefined;

  const stateOf = (event: HistoryEvent): string | undefined => {
    const seen: number[] = [];
    let current: HistoryEvent | undefined = event;
    while (current) {
      if (current.id !== undefined && stateOfEvent.has(current.id)) {
        const known = stateOfEvent.get(current.id);
        for (const id of seen) stateOfEvent.set(id, known as string);
        return known;
      }
      if (current.type?.endsWith('StateEntered')) {
        const name = current.stateEnteredEventDetails?.name;
        for (const id of seen) stateOfEvent.set(id, name as string);
        return name;
      }
      if (current.id !== undefined) seen.push(current.id);
      current = current.previousEventId ? byId.get(current.previousEventId) : undefined;
    }
    return undefined;
  };

  for (const event of history) {
    const type = event.type ?? '';
    if (type === 'TaskStateEntered') latestTask = event.stateEnteredEventDetails?.name;
    if (ATTEMPT_STARTS.has(type)) {
      const state = stateOf(event) ?? latestTask;
      if (state) (attempts[state] ??= []).push({});
    } else if (type in ATTEMPT_FAILURES) {
      const state = stateOf(event) ?? latestTask;
      const last = state ? attempts[state]?.at(-1) : undefined;
      if (last) last.error = ATTEMPT_FAILURES[type]?.(event)?.error ?? 'UnknownError';
    }
  }
  return attempts;
}

/** Retries per Task state: attempts beyond the first (every state of this machine is entered at most once). */
export function retriesByState(history: HistoryEvent[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(attemptsByState(history))
      .map(([state, attempts]) => [state, attempts.length - 1] as const)
      .filter(([, retries]) => retries > 0),
  );
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionOutcome {
  status: ExecutionStatus;
  error?: string;
  cause?: string;
}

/** The outcome the last execution-level event records. */
export function outcomeOf(history: HistoryEvent[]): ExecutionOutcome {
  for (const event of [...history].reverse()) {
    switch (event.type) {
      case 'ExecutionSucceeded':
        return { status: 'SUCCEEDED' };
      case 'ExecutionFailed':
        return {
          status: 'FAILED',
          ...(event.executionFailedEventDetails?.error !== undefined
            ? { error: event.executionFailedEventDetails.error }
            : {}),
          ...(event.executionFailedEventDetails?.cause !== undefined
            ? { cause: event.executionFailedEventDetails.cause }
            : {}),
        };
      case 'ExecutionTimedOut':
        return { status: 'TIMED_OUT' };
      case 'ExecutionAborted':
        return { status: 'ABORTED' };
      default:
    }
  }
  return { status: 'RUNNING' };
}
