import { handleOperation, MockConfigSource, type ApiContext } from './api';
import type { StackLog } from '../log';
import type { StateMachineModel } from '../stack-model';
import { ExecutionRunner } from './runner';
import { StateMachineStore, type ExecutionRecord } from './store';

/**
 * The Step Functions API (JSON 1.0, X-Amz-Target AWSStepFunctions.*) over aws-local-stepfunctions. State machines
 * come from template.yaml (and CreateStateMachine); executions run in this process, their Task states bound to the
 * local Lambda runtime, and are kept with their history under the data folder. Step Functions Local's mock
 * convention is honoured: with SFN_MOCK_CONFIG set, StartExecution on `<stateMachineArn>#<TestCase>` answers Task
 * states from that test case.
 *
 * The parts: ./api.ts dispatches the operations (./machine-operations.ts, ./execution-operations.ts), ./store.ts
 * keeps machines and executions on disk, ./runner.ts runs executions, ./validation.ts checks requests,
 * ./history.ts turns the engine's log into AWS's history events.
 */
export interface StepFunctionsOptions {
  directory: string;
  region: string;
  accountId: string;
  templateMachines: StateMachineModel[];
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Runs an `arn:aws:states:::sns:publish` task: its result, or an error named as the state's Error. */
  publish?: (parameters: unknown) => Promise<unknown>;
  log: StackLog;
  /** Path of a MockConfigFile (SFN_MOCK_CONFIG). */
  mockConfigPath?: string;
  /** Milliseconds every retrier waits instead of its IntervalSeconds/BackoffRate (tests). */
  retryIntervalMs?: number;
  /** Puts an execution's status-change event on the event bus (./status-events.ts): true once the rules are done. */
  onStatusChange?: (record: ExecutionRecord) => Promise<boolean>;
}

export interface StepFunctionsService {
  handle(operation: string, body: Record<string, unknown>): Promise<unknown>;
  /** Resolves when no execution is running (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * Puts the status-change events the last run did not (executions a crash or a stop cut off, now ABORTED), so the
   * template's rules repair what those executions left; called once the stack answers requests.
   */
  resumeStatusEvents(): void;
  close(): Promise<void>;
}

export function createStepFunctionsService(options: StepFunctionsOptions): StepFunctionsService {
  const { region, accountId, log } = options;
  const store = new StateMachineStore(options.directory, options.templateMachines, log);
  const runner = new ExecutionRunner(store, {
    region,
    invoke: options.invoke,
    ...(options.publish ? { publish: options.publish } : {}),
    log,
    ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
    ...(options.onStatusChange ? { onStatusChange: options.onStatusChange } : {}),
  });
  const context: ApiContext = { region, accountId, store, runner, mocks: new MockConfigSource(options.mockConfigPath) };
  return {
    handle: (operation, body) => handleOperation(context, operation, body),
    idle: () => runner.idle(),
    resumeStatusEvents() {
      for (const record of store.pendingStatusEvents()) {
        log.line('states', `status change of ${record.executionArn} (${record.status}) put again after a restart`);
        void runner.announceEnd(record);
      }
    },
    close: () => runner.close(),
  };
}
