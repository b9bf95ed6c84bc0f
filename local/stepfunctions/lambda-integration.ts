import './promise-with-resolvers';

/**
 * Makes aws-local-stepfunctions behave like the optimized `arn:aws:states:::lambda:invoke` integration.
 * The engine calls a local handler per Task state with the resolved Parameters ({ FunctionName, Payload }) and
 * uses its return value as is; AWS routes by FunctionName, wraps the result as { StatusCode, Payload, ... } and
 * turns a function error into Error = errorType, Cause = the runtime's JSON. This adapter does the same.
 */
export type InvokeFunction = (functionName: string, payload: unknown) => Promise<unknown>;

export interface LambdaInvokeResult {
  ExecutedVersion: string;
  StatusCode: number;
  Payload: unknown;
}

/** An error as the engine must see it: `name` becomes the state's Error, `message` its Cause. */
export class LambdaTaskError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

export function lambdaInvokeHandler(invoke: InvokeFunction) {
  return async (parameters: unknown): Promise<LambdaInvokeResult> => {
    const { FunctionName, Payload } = (parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    if (typeof FunctionName !== 'string' || FunctionName === '') {
      throw new LambdaTaskError('States.Runtime', 'lambda:invoke needs Parameters.FunctionName');
    }
    try {
      const result = await invoke(FunctionName, Payload ?? {});
      // Payload crosses the wire as JSON on AWS: undefined becomes null and class instances become plain objects.
      return {
        ExecutedVersion: '$LATEST',
        StatusCode: 200,
        Payload: result === undefined ? null : JSON.parse(JSON.stringify(result)),
      };
    } catch (error) {
      throw asTaskError(error);
    }
  };
}

/** The Error/Cause pair AWS reports for an error thrown by a Node.js function. */
export function asTaskError(error: unknown): LambdaTaskError {
  if (error instanceof LambdaTaskError) return error;
  const thrown = error instanceof Error ? error : new Error(String(error));
  const errorType = thrown.name || 'Error';
  const cause = JSON.stringify({
    errorType,
    errorMessage: thrown.message,
    trace: (thrown.stack ?? '').split('\n'),
  });
  return new LambdaTaskError(errorType, cause);
}

/** Binds every `lambda:invoke` Task state of a definition (including Parallel and Map branches) to `invoke`. */
export function lambdaTaskHandlers(
  definition: AslDefinition,
  invoke: InvokeFunction,
): Record<string, (input: unknown) => Promise<LambdaInvokeResult>> {
  const handler = lambdaInvokeHandler(invoke);
  return Object.fromEntries(lambdaTaskStates(definition).map((name) => [name, handler]));
}

export interface AslDefinition {
  States: Record<string, AslState>;
}
interface AslState {
  Type: string;
  Resource?: string;
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
}

export function lambdaTaskStates(definition: AslDefinition): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested = [
      ...(state.Branches ?? []),
      ...(state.Iterator ? [state.Iterator] : []),
      ...(state.ItemProcessor ? [state.ItemProcessor] : []),
    ];
    const own = state.Type === 'Task' && state.Resource?.startsWith('arn:aws:states:::lambda:invoke') ? [name] : [];
    return [...own, ...nested.flatMap(lambdaTaskStates)];
  });
}
