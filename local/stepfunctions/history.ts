import { HistoryBuilder } from './history-builder';
import type { StateInfo } from './state-index';

/**
 * aws-local-stepfunctions reports what happens as its own event log (StateEntered, StateRetried, ...). This turns
 * that log into the events GetExecutionHistory answers on AWS: typed per state (TaskStateEntered, ChoiceStateExited),
 * one TaskScheduled/TaskStarted per attempt with TaskSucceeded/TaskFailed/TaskTimedOut, Parallel and Map
 * started/succeeded/failed events, ids from 1 and previousEventId chained within each branch, *Details fields.
 * The event by event rules are in ./history-builder.ts.
 */
export interface EngineEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  index?: number;
  Error?: string;
  Cause?: unknown;
  input?: unknown;
  output?: unknown;
}

/** One call of a Task state's resource, as recorded by the task binding. */
export interface TaskAttempt {
  parameters?: unknown;
  output?: unknown;
  error?: { error: string; cause: string };
}

export interface HistoryEventRecord {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

export interface HistoryContext {
  index: Map<string, StateInfo>;
  attempts: Map<string, TaskAttempt[]>;
  region: string;
  roleArn: string;
  /** How StopExecution ended it, for ExecutionAborted details. */
  abort?: { error?: string; cause?: string };
  includeExecutionData?: boolean;
}

export function toHistory(log: EngineEvent[], context: HistoryContext): HistoryEventRecord[] {
  const builder = new HistoryBuilder(context);
  for (const event of log) builder.add(event);
  return builder.history;
}

/** A kept history as GetExecutionHistory answers it with includeExecutionData false: no input, output or parameters. */
export function stripData(event: HistoryEventRecord): HistoryEventRecord {
  const copy: HistoryEventRecord = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const details = { ...(value as Record<string, unknown>) };
      delete details.input;
      delete details.output;
      if ('parameters' in details) details.parameters = '';
      copy[key] = details;
    }
  }
  return copy;
}
