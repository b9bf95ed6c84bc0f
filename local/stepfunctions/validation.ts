import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ServiceError } from '../http/respond';

/** What the Step Functions API checks before it acts: names, ARNs, definitions and execution input. */

// AWS refuses control characters in names, so the pattern has to name them.
// eslint-disable-next-line no-control-regex
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

/** A state machine or execution name as AWS accepts it, or InvalidName. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name))
    throw new ServiceError('InvalidName', `Invalid Name: '${String(name)}'`);
  return name;
}

/** A state machine ARN (kind 'stateMachine') or an execution ARN (kind 'execution'), or InvalidArn. */
export function checkArn(arn: unknown, kind: 'stateMachine' | 'execution'): string {
  if (typeof arn !== 'string' || !arn.startsWith('arn:aws:states:') || !arn.includes(`:${kind}:`)) {
    throw new ServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
  }
  return arn;
}

/** StartExecution's input: a JSON text, '{}' when absent; InvalidExecutionInput otherwise. */
export function parseExecutionInput(input: unknown = '{}'): { text: string; value: unknown } {
  try {
    if (typeof input !== 'string') throw new Error('input must be a string');
    return { text: input, value: JSON.parse(input) };
  } catch (error) {
    throw new ServiceError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(error as Error).message}'`,
    );
  }
}

/** An ASL text the engine accepts (JSON, valid states and paths), or InvalidDefinition naming where it came from. */
export function validateDefinition(text: string, where: string): void {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new ServiceError(
      'InvalidDefinition',
      `Invalid State Machine Definition for ${where}: not JSON: ${(error as Error).message}`,
    );
  }
  try {
    new StateMachine(definition as StateMachineDefinition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
  } catch (error) {
    throw new ServiceError(
      'InvalidDefinition',
      `Invalid State Machine Definition for ${where}: ${(error as Error).message}`,
    );
  }
}

/** ListStateMachines, ListExecutions and GetExecutionHistory pages: maxResults (0 = default) and an opaque token. */
export function page<T>(
  items: T[],
  body: Record<string, unknown>,
  defaultSize = 100,
): { items: T[]; nextToken?: string } {
  const size = body.maxResults === undefined || body.maxResults === 0 ? defaultSize : Number(body.maxResults);
  if (!Number.isInteger(size) || size < 0 || size > 1000)
    throw new ServiceError('ValidationException', 'maxResults must be between 0 and 1000');
  const start = body.nextToken === undefined ? 0 : Number.parseInt(String(body.nextToken), 36);
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new ServiceError('InvalidToken', `Invalid Token: '${String(body.nextToken)}'`);
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length ? { nextToken: (start + size).toString(36) } : {}) };
}
