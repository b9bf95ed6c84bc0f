/**
 * GET /photos/{imageId}/execution: an execution's status and one entry per state it entered, built from its history
 * (DescribeExecution + GetExecutionHistory). The adapter hands over events in the core's shape; this file knows how
 * Step Functions chains them (`previousEventId`) and nothing about the SDK.
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT';

export interface ExecutionSummary {
  executionArn: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
}

/** One history event: its type, chain, time, the state it names (entered/exited) and any error it carries. */
export interface HistoryEvent {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp: string;
  stateName?: string;
  error?: string;
  cause?: string;
}

export interface Step {
  name: string;
  status: StepStatus;
  startedAt: string;
  stoppedAt?: string;
  durationMs?: number;
  error?: string;
  cause?: string;
}

export interface ExecutionView extends ExecutionSummary {
  steps: Step[];
}

export interface ExecutionReader {
  /** undefined when the execution does not exist (yet). */
  describe(executionArn: string): Promise<ExecutionSummary | undefined>;
  history(executionArn: string): Promise<HistoryEvent[]>;
}

interface Failure {
  eventId: number;
  at: string;
  error?: string;
  cause?: string;
}

interface OpenStep {
  step: Step;
  /** The StateEntered event's type: a Parallel or Map state owns its *StateFailed event. */
  enteredAs: string;
  failure?: Failure;
}

const MAX_CAUSE_LENGTH = 1000;
/** A Task attempt that failed (each retry schedules a new attempt) or a Parallel/Map whose branch failed. */
const TASK_FAILURES = /^(LambdaFunction|Task)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;
const BRANCHING_FAILURES = /^(Parallel|Map)StateFailed$/;
const SUCCESSES = /^(LambdaFunction|Task)Succeeded$/;

export function executionView(summary: ExecutionSummary, history: HistoryEvent[]): ExecutionView {
  const events = [...history].sort((a, b) => a.id - b.id);
  const byId = new Map(events.map((event) => [event.id, event]));
  const entered = new Map<number, OpenStep>();
  const opened: OpenStep[] = [];

  /** The state an event belongs to: follow previousEventId back to the StateEntered that started its chain. */
  const ownerOf = (event: HistoryEvent): OpenStep | undefined => {
    let current = event.previousEventId === undefined ? undefined : byId.get(event.previousEventId);
    for (let hops = 0; current && hops < events.length; hops += 1) {
      if (current.type.endsWith('StateEntered')) return entered.get(current.id);
      current = current.previousEventId === undefined ? undefined : byId.get(current.previousEventId);
    }
    return undefined;
  };

  for (const event of events) {
    if (event.type.endsWith('StateEntered') && event.stateName) {
      const open: OpenStep = {
        step: { name: event.stateName, status: 'RUNNING', startedAt: event.timestamp },
        enteredAs: event.type,
      };
      entered.set(event.id, open);
      opened.push(open);
    } else if (event.type.endsWith('StateExited') && event.stateName) {
      const open = [...opened].reverse().find((o) => o.step.name === event.stateName && !o.step.stoppedAt);
      if (open) close(open, open.failure ? 'CAUGHT' : 'SUCCEEDED', event.timestamp);
    } else if (TASK_FAILURES.test(event.type) || BRANCHING_FAILURES.test(event.type)) {
      const owner = BRANCHING_FAILURES.test(event.type)
        ? [...opened]
            .reverse()
            .find((o) => !o.step.stoppedAt && o.enteredAs === event.type.replace('Failed', 'Entered'))
        : ownerOf(event);
      if (owner) owner.failure = { eventId: event.id, at: event.timestamp, ...errorOf(event) };
    } else if (SUCCESSES.test(event.type)) {
      const owner = ownerOf(event);
      if (owner) delete owner.failure;
    }
  }

  const running = summary.status === 'RUNNING';
  const terminal = [...events].reverse().find((event) => event.type.startsWith('Execution') && event.error);
  for (const open of opened) {
    if (open.step.stoppedAt) continue;
    const { failure } = open;
    if (failure) {
      // What follows the failure in its chain says what became of it: a Catch enters the next state, a failed
      // branch or execution ends there; a new attempt (or nothing yet) means a retry is under way.
      const next = events.find((e) => e.previousEventId === failure.eventId);
      const retrying = next === undefined || /(Scheduled|Started)$/.test(next.type);
      if (next?.type.endsWith('StateEntered')) close(open, 'CAUGHT', failure.at);
      else if (!retrying || !running) close(open, 'FAILED', failure.at);
    } else if (!running) {
      if (terminal) open.failure = { eventId: terminal.id, at: terminal.timestamp, ...errorOf(terminal) };
      close(open, 'FAILED', summary.stoppedAt ?? terminal?.timestamp ?? open.step.startedAt);
    }
  }
  return { ...summary, steps: opened.map((open) => open.step) };
}

function close(open: OpenStep, status: StepStatus, at: string): void {
  const { step, failure } = open;
  step.status = status;
  step.stoppedAt = at;
  const duration = Date.parse(at) - Date.parse(step.startedAt);
  if (Number.isFinite(duration)) step.durationMs = Math.max(0, duration);
  if (failure && status !== 'SUCCEEDED') {
    if (failure.error) step.error = failure.error;
    if (failure.cause) step.cause = failure.cause;
  }
}

function errorOf(event: HistoryEvent): { error?: string; cause?: string } {
  return {
    ...(event.error ? { error: event.error } : {}),
    ...(event.cause ? { cause: readableCause(event.cause) } : {}),
  };
}

/** A Lambda error's cause is its JSON error document: people need its message, not the stack trace. */
export function readableCause(cause: string): string {
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // not JSON: the cause is already text
  }
  return text.length > MAX_CAUSE_LENGTH ? `${text.slice(0, MAX_CAUSE_LENGTH - 1)}…` : text;
}
