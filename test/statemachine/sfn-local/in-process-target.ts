import '../../../local/stepfunctions/lambda-integration';
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LambdaTaskError } from '../../../local/stepfunctions/lambda-integration';
import { mockedTaskResult, splitTestCaseArn, type MockConfig } from '../../../local/stepfunctions/mock-config';
import { allStates, stateMachineArn, type AslDefinition } from '../../support/asl-definition';
import type { SfnTarget } from './targets';

/**
 * Step Functions Local's mocked-integration behaviour on aws-local-stepfunctions, in this process: each Task of a
 * test case answers from the MockConfigFile by invocation number, retries run without their waits, and the engine's
 * event log is rewritten as the GetExecutionHistory events AWS would record. It stands in for a Step Functions API
 * when neither Step Functions Local nor the local stack is available.
 */
export interface InProcessOptions {
  mockConfig: MockConfig;
  /** Called for Task states the test case does not mock (Step Functions Local would call the real service). */
  unmocked?: (stateName: string, parameters: unknown) => Promise<unknown>;
}

type EngineEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  input?: unknown;
  output?: unknown;
};

/** Raised for a Task with neither a mock nor a service to call; like States.Runtime, nothing can catch it. */
class NoMockForTask extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export function inProcessTarget(options: InProcessOptions): SfnTarget {
  const machines = new Map<string, { name: string; definition: AslDefinition; machine: StateMachine }>();
  const executions = new Map<string, Promise<HistoryEvent[]>>();
  let counter = 0;

  return {
    description: 'in-process runner (aws-local-stepfunctions + MockConfigFile)',
    async deployStateMachine(name, definition) {
      const arn = stateMachineArn(name);
      const copy = structuredClone(definition);
      // Validated once here, as CreateStateMachine does (the engine runs asl-validator in its constructor).
      const machine = new StateMachine(copy as unknown as StateMachineDefinition, {
        validationOptions: { checkArn: false, checkPaths: true },
      });
      machines.set(arn, { name, definition: copy, machine });
      return arn;
    },
    async startTestCase(arn, testCase, input) {
      const machine = machines.get(splitTestCaseArn(arn).stateMachineArn);
      if (!machine) throw new Error(`State machine does not exist: ${arn}`);
      counter += 1;
      const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${testCase}-${counter}`;
      executions.set(executionArn, runCase(machine, testCase, input, executionArn, options));
      return executionArn;
    },
    async history(executionArn) {
      const history = executions.get(executionArn);
      if (!history) throw new Error(`Execution does not exist: ${executionArn}`);
      return history;
    },
    async close() {},
  };
}

async function runCase(
  { name: machineName, definition, machine }: { name: string; definition: AslDefinition; machine: StateMachine },
  testCase: string,
  input: unknown,
  executionArn: string,
  options: InProcessOptions,
): Promise<HistoryEvent[]> {
  const states = allStates(definition);
  const invocations = new Map<string, number>();
  const handlers = Object.fromEntries(
    states
      .filter(({ state }) => state.Type === 'Task')
      .map(({ name }) => [
        name,
        async (parameters: unknown) => {
          const index = invocations.get(name) ?? 0;
          invocations.set(name, index + 1);
          const mocked = mockedTaskResult(options.mockConfig, machineName, testCase, name, index);
          if (mocked?.kind === 'return') return mocked.value;
          if (mocked?.kind === 'throw') throw new LambdaTaskError(mocked.error, mocked.cause);
          if (!options.unmocked)
            throw new NoMockForTask(`Test case ${testCase} does not mock ${name} and no service is configured`);
          return options.unmocked(name, parameters);
        },
      ]),
  );
  const retryable = states.filter(({ state }) => state.Retry).map(({ name }) => [name, 0] as const);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: Object.fromEntries(retryable) },
    context: {
      Execution: {
        Id: executionArn,
        Name: executionArn.split(':').at(-1),
        StartTime: new Date().toISOString(),
        Input: input as never,
      },
    },
  });
  execution.result.catch(() => undefined);
  const log: EngineEvent[] = [];
  for await (const event of execution.eventLogs) log.push(event as EngineEvent);
  return toHistory(log, definition);
}

/** The engine's events as AWS history events: Task attempts as TaskScheduled/Started/Failed/Succeeded, ids chained. */
export function toHistory(log: EngineEvent[], definition: AslDefinition): HistoryEvent[] {
  const types = new Map(allStates(definition).map(({ name, state }) => [name, state.Type]));
  // `arn:aws:states:::sns:publish` is resourceType sns, resource publish in AWS's history, as lambda:invoke is lambda.
  const resources = new Map(
    allStates(definition).map(({ name, state }) => {
      const [, type = 'lambda', resource = 'invoke'] =
        /^arn:aws:states:::(\w+):([\w.]+)/.exec(state.Resource ?? '') ?? [];
      return [name, { resourceType: type, resource }];
    }),
  );
  const resourceOf = (name: string) => resources.get(name) ?? { resourceType: 'lambda', resource: 'invoke' };
  const history: HistoryEvent[] = [];
  const lastOfState = new Map<string, number>();
  const failedLast = new Set<string>();
  const push = (
    type: string,
    state: string | undefined,
    details: Partial<HistoryEvent>,
    timestamp: number,
    previous?: number,
  ) => {
    const id = history.length + 1;
    const previousEventId =
      previous ?? (state !== undefined ? lastOfState.get(state) : undefined) ?? (id > 1 ? id - 1 : 0);
    history.push({ type: type as HistoryEventType, id, previousEventId, timestamp: new Date(timestamp), ...details });
    if (state !== undefined) lastOfState.set(state, id);
    return id;
  };
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const attempt = (name: string, timestamp: number, parameters: unknown) => {
    push(
      'TaskScheduled',
      name,
      {
        taskScheduledEventDetails: {
          ...resourceOf(name),
          region: 'us-east-1',
          parameters: json(parameters),
        },
      },
      timestamp,
    );
    push('TaskStarted', name, { taskStartedEventDetails: resourceOf(name) }, timestamp);
  };

  for (const event of log) {
    const name = event.state?.name;
    const kind = name ? (types.get(name) ?? event.state?.type ?? 'Task') : '';
    switch (event.type) {
      case 'ExecutionStarted':
        push(
          'ExecutionStarted',
          undefined,
          { executionStartedEventDetails: { input: json(event.input) } },
          event.timestamp,
        );
        break;
      case 'StateEntered': {
        const entered = push(
          `${kind}StateEntered`,
          undefined,
          { stateEnteredEventDetails: { name, input: json(event.state?.input) } },
          event.timestamp,
        );
        lastOfState.set(name as string, entered);
        failedLast.delete(name as string);
        if (kind === 'Task') attempt(name as string, event.timestamp, event.state?.input);
        if (kind === 'Parallel') push('ParallelStateStarted', name, {}, event.timestamp);
        break;
      }
      case 'StateRetried':
        failedLast.delete(name as string);
        if (kind === 'Task') attempt(name as string, event.timestamp, event.state?.input);
        break;
      case 'StateFailed': {
        const details = {
          error: event.Error,
          cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause),
        };
        if (kind === 'Task')
          push(
            'TaskFailed',
            name,
            { taskFailedEventDetails: { ...resourceOf(name as string), ...details } },
            event.timestamp,
          );
        if (kind === 'Parallel') push('ParallelStateFailed', name, {}, event.timestamp);
        failedLast.add(name as string);
        break;
      }
      case 'StateExited': {
        if (kind === 'Task' && !failedLast.has(name as string)) {
          push(
            'TaskSucceeded',
            name,
            {
              taskSucceededEventDetails: {
                ...resourceOf(name as string),
                output: json(event.state?.output),
              },
            },
            event.timestamp,
          );
        }
        if (kind === 'Parallel' && !failedLast.has(name as string))
          push('ParallelStateSucceeded', name, {}, event.timestamp);
        push(
          `${kind}StateExited`,
          name,
          { stateExitedEventDetails: { name, output: json(event.state?.output) } },
          event.timestamp,
        );
        break;
      }
      case 'ExecutionSucceeded':
        push(
          'ExecutionSucceeded',
          undefined,
          { executionSucceededEventDetails: { output: json(event.output) } },
          event.timestamp,
          history.length,
        );
        break;
      case 'ExecutionFailed':
        push(
          'ExecutionFailed',
          undefined,
          {
            executionFailedEventDetails: {
              error: event.Error,
              cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause),
            },
          },
          event.timestamp,
          history.length,
        );
        break;
      case 'ExecutionTimeout':
        push('ExecutionTimedOut', undefined, {}, event.timestamp, history.length);
        break;
      case 'ExecutionAborted':
        push('ExecutionAborted', undefined, {}, event.timestamp, history.length);
        break;
      default:
      // Branch and iteration events have no counterpart in AWS's history.
    }
  }
  return history;
}
