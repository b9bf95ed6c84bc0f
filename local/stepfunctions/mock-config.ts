import { readFileSync } from 'node:fs';

/**
 * Step Functions Local's mocked service integrations: the MockConfigFile format AWS documents
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html), which LocalStack also reads
 * through SFN_MOCK_CONFIG. An execution started on `<stateMachineArn>#<TestCase>` answers the Task states its test
 * case names with the mocked responses, by invocation number (retries count); other Task states run for real.
 *
 * AWS: "When you mock a Task, you must specify a mocked response for every invocation ... If you do not specify a
 * mocked response, the state machine execution will fail." So an invocation past the last one defined is not
 * answered with the last response again: mockedTaskResult throws MissingMockedResponse, and the caller fails the
 * execution (see MissingMockedResponse).
 */
export interface MockConfig {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<string, Record<string, MockedInvocation>>;
}

export type MockedInvocation = { Return: unknown } | { Throw: { Error: string; Cause: string } };

export type MockedTaskResult =
  { kind: 'return'; value: unknown } | { kind: 'throw'; error: string; cause: string } | undefined;

/** The file does not follow AWS's MockConfigFile structure; the message names the offending path. */
export class MockConfigError extends Error {
  override readonly name = 'MockConfigError';
}

/**
 * A mocked Task was invoked more times than its mocked response defines. AWS fails the execution; a runner should
 * end it with States.Runtime, which neither Retry nor Catch may handle (see `isRetryable`/`isCatchable`, the
 * properties aws-local-stepfunctions reads).
 */
export class MissingMockedResponse extends Error {
  override readonly name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(
    readonly testCase: string,
    readonly stateName: string,
    readonly mockedResponse: string,
    readonly invocationIndex: number,
  ) {
    super(
      `Mocked response "${mockedResponse}" of test case "${testCase}" defines no answer for invocation ${invocationIndex} of state "${stateName}"`,
    );
  }
}

export function loadMockConfig(path: string): MockConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MockConfigError(`Cannot read the MockConfigFile ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MockConfigError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseMockConfig(parsed, path);
}

/** Checks the documented structure; every problem found is listed in one error. */
export function parseMockConfig(value: unknown, source = 'MockConfigFile'): MockConfig {
  const problems = mockConfigProblems(value);
  if (problems.length > 0)
    throw new MockConfigError(`${source} is not a valid mock configuration:\n  ${problems.join('\n  ')}`);
  return value as MockConfig;
}

export function mockConfigProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return ['the top level must be a JSON object with StateMachines and MockedResponses'];
  for (const field of Object.keys(value)) {
    if (field !== 'StateMachines' && field !== 'MockedResponses') problems.push(`unknown top-level field "${field}"`);
  }
  const responses = value.MockedResponses;
  if (!isRecord(responses)) problems.push('MockedResponses must be an object');
  else
    for (const [name, response] of Object.entries(responses))
      problems.push(...mockedResponseProblems(`MockedResponses.${name}`, response));

  const machines = value.StateMachines;
  if (!isRecord(machines)) {
    problems.push('StateMachines must be an object');
    return problems;
  }
  for (const [machineName, machine] of Object.entries(machines)) {
    const at = `StateMachines.${machineName}`;
    if (!isRecord(machine)) {
      problems.push(`${at} must be an object with TestCases`);
      continue;
    }
    for (const field of Object.keys(machine))
      if (field !== 'TestCases') problems.push(`${at}: unknown field "${field}"`);
    if (!isRecord(machine.TestCases)) {
      problems.push(`${at}.TestCases must be an object`);
      continue;
    }
    for (const [caseName, testCase] of Object.entries(machine.TestCases)) {
      if (!isRecord(testCase)) {
        problems.push(`${at}.TestCases.${caseName} must map state names to mocked response names`);
        continue;
      }
      for (const [stateName, responseName] of Object.entries(testCase)) {
        const where = `${at}.TestCases.${caseName}.${stateName}`;
        if (typeof responseName !== 'string') problems.push(`${where} must be the name of a mocked response`);
        else if (isRecord(responses) && !(responseName in responses))
          problems.push(`${where} names "${responseName}", which MockedResponses does not define`);
      }
    }
  }
  return problems;
}

function mockedResponseProblems(at: string, response: unknown): string[] {
  if (!isRecord(response) || Object.keys(response).length === 0) {
    return [`${at} must be an object of invocation numbers ("0", "1-2", ...) to Return or Throw`];
  }
  const problems: string[] = [];
  const ranges: [number, number, string][] = [];
  for (const [key, invocation] of Object.entries(response)) {
    const range = parseRange(key);
    if (!range) problems.push(`${at}: "${key}" is not an invocation number or an inclusive range such as "1-2"`);
    else ranges.push([...range, key]);
    problems.push(...invocationProblems(`${at}.${key}`, invocation));
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [start, end, key] of ranges) {
    if (start < next) problems.push(`${at}: "${key}" overlaps an earlier invocation number`);
    else if (start > next)
      problems.push(
        `${at}: no response for invocation ${next === start - 1 ? next : `${next}-${start - 1}`} (AWS requires one for every invocation)`,
      );
    next = Math.max(next, end + 1);
  }
  return problems;
}

function invocationProblems(at: string, invocation: unknown): string[] {
  if (!isRecord(invocation)) return [`${at} must be an object with Return or Throw`];
  const fields = Object.keys(invocation);
  if (fields.length !== 1 || (fields[0] !== 'Return' && fields[0] !== 'Throw')) {
    return [
      `${at} must have exactly one field, Return or Throw (has ${fields.length === 0 ? 'none' : fields.join(', ')})`,
    ];
  }
  if (fields[0] === 'Return') return [];
  const thrown = invocation.Throw;
  if (!isRecord(thrown)) return [`${at}.Throw must be an object with Error and Cause`];
  const problems: string[] = [];
  if (typeof thrown.Error !== 'string' || thrown.Error === '')
    problems.push(`${at}.Throw.Error must be a non-empty string`);
  if (typeof thrown.Cause !== 'string') problems.push(`${at}.Throw.Cause must be a string`);
  for (const field of Object.keys(thrown))
    if (field !== 'Error' && field !== 'Cause') problems.push(`${at}.Throw: unknown field "${field}"`);
  return problems;
}

function parseRange(key: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(key);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && start <= end ? [start, end] : undefined;
}

/**
 * What a mocked Task answers on its `invocationIndex`-th invocation (0 for the first, retries included) in an
 * execution of `stateMachineName` started for `testCaseName`. Undefined when the test case does not mock that state
 * (it then calls the real service); throws MockConfigError for an unknown state machine or test case, as an
 * execution started on `arn#Unknown` must not silently run unmocked.
 */
export function mockedTaskResult(
  config: MockConfig,
  stateMachineName: string,
  testCaseName: string,
  stateName: string,
  invocationIndex: number,
): MockedTaskResult {
  const testCase = testCaseOf(config, stateMachineName, testCaseName);
  const responseName = testCase[stateName];
  if (responseName === undefined) return undefined;
  const response = config.MockedResponses[responseName];
  if (!response)
    throw new MockConfigError(`Test case "${testCaseName}" names the unknown mocked response "${responseName}"`);
  for (const [key, invocation] of Object.entries(response)) {
    const range = parseRange(key);
    if (!range || invocationIndex < range[0] || invocationIndex > range[1]) continue;
    if ('Throw' in invocation) return { kind: 'throw', error: invocation.Throw.Error, cause: invocation.Throw.Cause };
    return { kind: 'return', value: structuredClone(invocation.Return) };
  }
  throw new MissingMockedResponse(testCaseName, stateName, responseName, invocationIndex);
}

export function testCaseOf(config: MockConfig, stateMachineName: string, testCaseName: string): Record<string, string> {
  const machine = config.StateMachines[stateMachineName];
  if (!machine) {
    throw new MockConfigError(
      `The MockConfigFile has no state machine "${stateMachineName}" (it has: ${Object.keys(config.StateMachines).join(', ') || 'none'})`,
    );
  }
  const testCase = machine.TestCases[testCaseName];
  if (!testCase) {
    throw new MockConfigError(
      `State machine "${stateMachineName}" has no test case "${testCaseName}" (it has: ${Object.keys(machine.TestCases).join(', ')})`,
    );
  }
  return testCase;
}

/** Step Functions Local's convention: StartExecution on `<stateMachineArn>#<TestCase>` runs that test case. */
export function splitTestCaseArn(stateMachineArn: string): { stateMachineArn: string; testCase?: string } {
  const hash = stateMachineArn.indexOf('#');
  if (hash < 0) return { stateMachineArn };
  return { stateMachineArn: stateMachineArn.slice(0, hash), testCase: stateMachineArn.slice(hash + 1) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
