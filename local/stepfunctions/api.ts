import { statSync } from 'node:fs';
import { ServiceError } from '../http/respond';
import * as executions from './execution-operations';
import * as machines from './machine-operations';
import { loadMockConfig, testCaseOf, type MockConfig } from './mock-config';
import type { ExecutionRunner, TestCaseMock } from './runner';
import type { StateMachineStore } from './store';

/**
 * The Step Functions API's request dispatch: one line per operation the local stack implements (X-Amz-Target
 * AWSStepFunctions.<Operation>), each a function of the context and the request body.
 */
export interface ApiContext {
  region: string;
  accountId: string;
  store: StateMachineStore;
  runner: ExecutionRunner;
  mocks: MockConfigSource;
}

type Operation = (context: ApiContext, body: Record<string, unknown>) => unknown;

const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: machines.createStateMachine,
  UpdateStateMachine: machines.updateStateMachine,
  DeleteStateMachine: machines.deleteStateMachine,
  DescribeStateMachine: machines.describeStateMachine,
  DescribeStateMachineForExecution: machines.describeStateMachineForExecution,
  ListStateMachines: machines.listStateMachines,
  StartExecution: executions.startExecution,
  DescribeExecution: executions.describeExecution,
  GetExecutionHistory: executions.getExecutionHistory,
  ListExecutions: executions.listExecutions,
  StopExecution: executions.stopExecution,
};

export async function handleOperation(
  context: ApiContext,
  operation: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  if (!run)
    throw new ServiceError('UnknownOperationException', `The local Step Functions API does not implement ${operation}`);
  return run(context, body);
}

/** The MockConfigFile SFN_MOCK_CONFIG names, read again when it changes. */
export class MockConfigSource {
  private cache: { path: string; mtimeMs: number; config: MockConfig } | undefined;

  constructor(private readonly file: string | undefined) {}

  /** The mock of one test case for StartExecution on `<stateMachineArn>#<TestCase>`, or ValidationException. */
  testCase(stateMachineName: string, testCase: string): TestCaseMock {
    const config = this.config();
    try {
      testCaseOf(config, stateMachineName, testCase);
    } catch (error) {
      throw new ServiceError('ValidationException', (error as Error).message);
    }
    return { config, stateMachineName, testCase };
  }

  private config(): MockConfig {
    const file = this.file;
    if (!file)
      throw new ServiceError(
        'ValidationException',
        'Executions on <stateMachineArn>#<TestCase> need SFN_MOCK_CONFIG to name a MockConfigFile',
      );
    const mtimeMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (!this.cache || this.cache.path !== file || this.cache.mtimeMs !== mtimeMs) {
      try {
        this.cache = { path: file, mtimeMs, config: loadMockConfig(file) };
      } catch (error) {
        throw new ServiceError('ValidationException', (error as Error).message);
      }
    }
    return this.cache.config;
  }
}
