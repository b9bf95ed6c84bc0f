import './promise-with-resolvers';
import { FunctionError, FunctionNotFound } from '../lambda/outcome';
import { asTaskError, lambdaInvokeHandler, LambdaTaskError, type InvokeFunction } from './lambda-integration';
import { mockedTaskResult, MockConfigError, type MockConfig } from './mock-config';
import type { TaskAttempt } from './history';
import type { StateInfo } from './state-index';

/**
 * Binds every Task state of one execution to what runs it locally, keyed by state name as aws-local-stepfunctions
 * wants: the Step Functions Local mock of the execution's test case when there is one (invocations counted per state
 * from 0, retries included), otherwise the local Lambda runtime through the lambda:invoke adapter. Each attempt's
 * parameters and result are recorded for the execution history.
 */
export interface TaskBindingOptions {
  index: Map<string, StateInfo>;
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Runs an `arn:aws:states:::sns:publish` task. */
  publish?: (parameters: unknown) => Promise<unknown>;
  attempts: Map<string, TaskAttempt[]>;
  mock?: { config: MockConfig; stateMachineName: string; testCase: string };
}

/** An error no Retry or Catch may handle, as AWS treats States.Runtime. */
export class UncatchableRuntimeError extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export function bindTaskStates(options: TaskBindingOptions): Record<string, (parameters: unknown) => Promise<unknown>> {
  const invocations = new Map<string, number>();
  const invoke: InvokeFunction = async (functionName, payload) => {
    try {
      return await options.invoke(functionName, payload);
    } catch (error) {
      if (error instanceof FunctionNotFound)
        throw new LambdaTaskError(
          'Lambda.ResourceNotFoundException',
          `${error.message} (not a function of template.yaml)`,
        );
      throw error;
    }
  };
  const lambdaInvoke = lambdaInvokeHandler(invoke);

  const handlers: Record<string, (parameters: unknown) => Promise<unknown>> = {};
  for (const [name, info] of options.index) {
    if (info.type !== 'Task') continue;
    handlers[name] = async (parameters: unknown) => {
      const invocation = invocations.get(name) ?? 0;
      invocations.set(name, invocation + 1);
      const attempt: TaskAttempt = { parameters };
      const list = options.attempts.get(name) ?? [];
      list.push(attempt);
      options.attempts.set(name, list);
      try {
        const output = await run(name, info, parameters, invocation);
        attempt.output = output;
        return output;
      } catch (error) {
        const thrown = error as Error;
        attempt.error = { error: thrown.name, cause: thrown.message };
        throw error;
      }
    };
  }

  async function run(name: string, info: StateInfo, parameters: unknown, invocation: number): Promise<unknown> {
    if (options.mock) {
      let mocked;
      try {
        mocked = mockedTaskResult(
          options.mock.config,
          options.mock.stateMachineName,
          options.mock.testCase,
          name,
          invocation,
        );
      } catch (error) {
        if (error instanceof MockConfigError) throw new UncatchableRuntimeError(error.message);
        throw error;
      }
      if (mocked?.kind === 'return') return mocked.value;
      if (mocked?.kind === 'throw') throw new LambdaTaskError(mocked.error, mocked.cause);
    }
    const resource = info.resource ?? '';
    if (resource.startsWith('arn:aws:states:::lambda:invoke')) return lambdaInvoke(parameters);
    if (resource === 'arn:aws:states:::sns:publish' && options.publish) return options.publish(parameters);
    if (/^arn:aws:lambda:[^:]*:[^:]*:function:/.test(resource)) {
      try {
        return await invoke(resource, parameters);
      } catch (error) {
        throw error instanceof LambdaTaskError ? error : asTaskError(error instanceof FunctionError ? error : error);
      }
    }
    throw new UncatchableRuntimeError(
      `The local stack runs only Lambda and sns:publish tasks; state ${name} uses ${resource || 'no Resource'}`,
    );
  }

  return handlers;
}
