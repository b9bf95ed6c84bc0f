import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { messageOf, type StackLog } from '../log';
import { toHistory, stripData, type EngineEvent, type HistoryEventRecord, type TaskAttempt } from './history';
import type { MockConfig } from './mock-config';
import { retryingStates, stateIndex, type StateInfo } from './state-index';
import type { ExecutionRecord, MachineRecord, StateMachineStore } from './store';
import { bindTaskStates } from './task-binding';

/**
 * Runs executions in this process on aws-local-stepfunctions, their Task states bound to the local Lambda runtime
 * (or to a MockConfigFile test case), follows each one's event log while it runs and records its end (status,
 * output or error, history) in the store.
 */
export interface RunnerOptions {
  region: string;
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Runs an `arn:aws:states:::sns:publish` task (absent: such a task fails with States.Runtime). */
  publish?: (parameters: unknown) => Promise<unknown>;
  log: StackLog;
  /** Milliseconds every retrier waits instead of its IntervalSeconds/BackoffRate (tests). */
  retryIntervalMs?: number;
  /**
   * Puts the execution's "Step Functions Execution Status Change" event on the bus: true once the rules are done with
   * it, false when the bus closed first.
   */
  onStatusChange?: (record: ExecutionRecord) => Promise<boolean>;
}

/** Step Functions Local's mocks: answer Task states from this test case of the MockConfigFile. */
export interface TestCaseMock {
  config: MockConfig;
  stateMachineName: string;
  testCase: string;
}

interface LiveExecution {
  record: ExecutionRecord;
  log: EngineEvent[];
  attempts: Map<string, TaskAttempt[]>;
  index: Map<string, StateInfo>;
  abort: () => void;
  abortDetails?: { error?: string; cause?: string };
  done: Promise<void>;
}

type EngineExecution = ReturnType<StateMachine['run']>;
type EngineResult = { output?: unknown; error?: unknown };

export class ExecutionRunner {
  private readonly live = new Map<string, LiveExecution>();
  private stopping = false;

  constructor(
    private readonly store: StateMachineStore,
    private readonly options: RunnerOptions,
  ) {}

  /** True once close() was called: no new execution may start. */
  get closing(): boolean {
    return this.stopping;
  }

  /** Starts the execution of a new RUNNING record and keeps it in the store. */
  start(record: ExecutionRecord, machine: MachineRecord, input: unknown, mock?: TestCaseMock): void {
    const definition = JSON.parse(machine.definition) as StateMachineDefinition;
    const index = stateIndex(definition as never);
    const attempts = new Map<string, TaskAttempt[]>();
    const execution = this.run(definition, index, attempts, { record, machine, input, mock });
    const running: LiveExecution = {
      record,
      log: [],
      attempts,
      index,
      abort: () => execution.abort(),
      done: Promise.resolve(),
    };
    running.done = this.follow(running, execution);
    this.store.executions.set(record.executionArn, record);
    this.live.set(record.executionArn, running);
    this.store.saveExecution(record);
    void this.options.onStatusChange?.(record);
    const testCase = record.testCase ? ` (test case ${record.testCase})` : '';
    this.options.log.line('states', `started ${record.executionArn}${testCase}`);
  }

  /** The history so far (running) or as recorded at the end. */
  history(record: ExecutionRecord, includeExecutionData = true): HistoryEventRecord[] {
    const running = this.live.get(record.executionArn);
    if (running) return this.historyOf(running, includeExecutionData);
    const history = record.history ?? [];
    if (includeExecutionData) return history;
    return history.map((event) => stripData(event));
  }

  /** Aborts a running execution (StopExecution); false when it is not running. */
  stop(record: ExecutionRecord, details: { error?: string; cause?: string }): boolean {
    const running = this.live.get(record.executionArn);
    if (!running || record.status !== 'RUNNING') return false;
    running.abortDetails = details;
    running.abort();
    return true;
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.live.size > 0) await Promise.all([...this.live.values()].map((running) => running.done));
  }

  /** Aborts every running execution as LocalStack.Stopped and waits (2 s at most) for their ends to be recorded. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const running of this.live.values()) {
      running.abortDetails = {
        error: 'LocalStack.Stopped',
        cause: 'The local stack stopped while this execution was running.',
      };
      running.abort();
    }
    await Promise.race([
      Promise.all([...this.live.values()].map((running) => running.done)),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
  }

  private run(
    definition: StateMachineDefinition,
    index: Map<string, StateInfo>,
    attempts: Map<string, TaskAttempt[]>,
    execution: { record: ExecutionRecord; machine: MachineRecord; input: unknown; mock?: TestCaseMock | undefined },
  ): EngineExecution {
    const { record, machine, input, mock } = execution;
    const { retryIntervalMs } = this.options;
    const engine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    return engine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: bindTaskStates({
          index,
          invoke: this.options.invoke,
          ...(this.options.publish ? { publish: this.options.publish } : {}),
          attempts,
          ...(mock ? { mock } : {}),
        }) as never,
        ...(retryIntervalMs !== undefined
          ? {
              retryIntervalOverrides: Object.fromEntries(
                retryingStates(definition as never, index).map((name) => [name, retryIntervalMs]),
              ),
            }
          : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          StartTime: new Date(record.startDate).toISOString(),
          Input: input as never,
          RoleArn: machine.roleArn,
        },
        StateMachine: { Id: record.stateMachineArn, Name: machine.name },
      },
    });
  }

  private async follow(running: LiveExecution, execution: EngineExecution): Promise<void> {
    const { executionArn } = running.record;
    const outcome = execution.result.then(
      (output): EngineResult => ({ output }),
      (error: unknown): EngineResult => ({ error }),
    );
    try {
      for await (const event of execution.eventLogs) running.log.push(event as unknown as EngineEvent);
    } catch (error) {
      this.options.log.line('states', `${executionArn}: event log failed: ${messageOf(error)}`);
    }
    const result = await outcome;
    try {
      this.finish(running, result);
    } catch (error) {
      this.live.delete(executionArn);
      this.options.log.line('states', `${executionArn}: could not record the end: ${messageOf(error)}`);
    }
  }

  private finish(running: LiveExecution, result: EngineResult): void {
    const { record } = running;
    recordEnd(record, running.log, result, running.abortDetails);
    record.history = this.historyOf(running);
    this.live.delete(record.executionArn);
    if (this.options.onStatusChange) record.statusEventPending = true;
    this.store.saveExecution(record);
    void this.announceEnd(record);
    const error = record.error ? ` ${record.error}` : '';
    this.options.log.line('states', `${record.status} ${record.executionArn}${error}`);
  }

  /**
   * Puts the status-change event of an ended execution (its own end, or one a crash cut off) on the bus, and forgets
   * it once the rules are done with it; one the bus closed on stays pending in the store for the next start.
   */
  async announceEnd(record: ExecutionRecord): Promise<void> {
    if (!this.options.onStatusChange) return;
    const settled = await this.options.onStatusChange(record).catch((error: unknown) => {
      this.options.log.line('states', `${record.executionArn}: status-change event not put: ${messageOf(error)}`);
      return false;
    });
    if (!settled) return;
    delete record.statusEventPending;
    this.store.saveExecution(record);
  }

  private historyOf(running: LiveExecution, includeExecutionData?: boolean): HistoryEventRecord[] {
    return toHistory(running.log, {
      index: running.index,
      attempts: running.attempts,
      region: this.options.region,
      roleArn: running.record.roleArn,
      ...(running.abortDetails ? { abort: running.abortDetails } : {}),
      ...(includeExecutionData !== undefined ? { includeExecutionData } : {}),
    });
  }
}

/** The record's status, stop date, output or error, from the last execution event of the engine's log. */
function recordEnd(
  record: ExecutionRecord,
  log: EngineEvent[],
  result: EngineResult,
  abortDetails?: { error?: string; cause?: string },
): void {
  const last = [...log]
    .reverse()
    .find((event) => event.type.startsWith('Execution') && event.type !== 'ExecutionStarted');
  record.stopDate = last?.timestamp ?? Date.now();
  if (abortDetails || last?.type === 'ExecutionAborted') {
    record.status = 'ABORTED';
    if (abortDetails?.error) record.error = abortDetails.error;
    if (abortDetails?.cause) record.cause = abortDetails.cause;
  } else if (last?.type === 'ExecutionSucceeded') {
    record.status = 'SUCCEEDED';
    record.output = JSON.stringify(last.output ?? result.output ?? null);
  } else if (last?.type === 'ExecutionTimeout') {
    record.status = 'TIMED_OUT';
    record.error = 'States.Timeout';
  } else if (last?.type === 'ExecutionFailed') {
    record.status = 'FAILED';
    record.error = last.Error ?? 'States.Runtime';
    record.cause = typeof last.Cause === 'string' ? last.Cause : JSON.stringify(last.Cause ?? '');
  } else {
    record.status = 'FAILED';
    record.error = 'States.Runtime';
    record.cause = result.error ? messageOf(result.error) : 'The execution ended without a result';
  }
}
