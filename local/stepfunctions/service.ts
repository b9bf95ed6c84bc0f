import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf, type StackLog } from '../log';
import { ServiceError } from '../http/respond';
import type { StateMachineModel } from '../stack-model';
import {
  stateIndex,
  toHistory,
  type EngineEvent,
  type HistoryEventRecord,
  type StateInfo,
  type TaskAttempt,
} from './history';
import { loadMockConfig, splitTestCaseArn, testCaseOf, type MockConfig } from './mock-config';
import { bindTaskStates } from './task-binding';

/**
 * The Step Functions API (JSON 1.0, X-Amz-Target AWSStepFunctions.*) over aws-local-stepfunctions. State machines
 * come from template.yaml (and CreateStateMachine); executions run in this process, their Task states bound to the
 * local Lambda runtime, and are kept with their history under the data folder. Step Functions Local's mock
 * convention is honoured: with SFN_MOCK_CONFIG set, StartExecution on `<stateMachineArn>#<TestCase>` answers Task
 * states from that test case.
 */
export interface StepFunctionsOptions {
  directory: string;
  region: string;
  accountId: string;
  templateMachines: StateMachineModel[];
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  log: StackLog;
  /** Path of a MockConfigFile (SFN_MOCK_CONFIG). */
  mockConfigPath?: string;
  /** Milliseconds every retrier waits instead of its IntervalSeconds/BackoffRate (tests). */
  retryIntervalMs?: number;
}

interface MachineRecord {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: string;
  creationDate: number;
  updateDate?: number;
  fromTemplate: boolean;
  loggingConfiguration?: unknown;
  tracingConfiguration?: unknown;
}

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  testCase?: string;
  /** Kept so the history can be rebuilt after a restart. */
  definition: string;
  roleArn: string;
  history?: HistoryEventRecord[];
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

export interface StepFunctionsService {
  handle(operation: string, body: Record<string, unknown>): Promise<unknown>;
  /** Resolves when no execution is running (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

// AWS refuses control characters in names, so the pattern has to name them.
// eslint-disable-next-line no-control-regex
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

export function createStepFunctionsService(options: StepFunctionsOptions): StepFunctionsService {
  const machinesFile = path.join(options.directory, 'state-machines.json');
  const executionsDir = path.join(options.directory, 'executions');
  mkdirSync(executionsDir, { recursive: true });

  const machines = new Map<string, MachineRecord>();
  const executions = new Map<string, ExecutionRecord>();
  const live = new Map<string, LiveExecution>();
  let mockCache: { path: string; mtimeMs: number; config: MockConfig } | undefined;
  let closing = false;

  // Machines created through the API survive restarts; the template's are (re)deployed from template.yaml.
  for (const machine of readJson<MachineRecord[]>(machinesFile) ?? [])
    if (!machine.fromTemplate) machines.set(machine.arn, machine);
  for (const machine of options.templateMachines) {
    validateDefinition(machine.definition, `${machine.logicalId} (template.yaml)`);
    const now = Date.now();
    machines.set(machine.arn, {
      arn: machine.arn,
      name: machine.name,
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: now,
      fromTemplate: true,
    });
  }
  saveMachines();
  for (const file of readdirSync(executionsDir)) {
    if (!file.endsWith('.json')) continue;
    const record = readJson<ExecutionRecord>(path.join(executionsDir, file));
    if (!record) continue;
    if (record.status === 'RUNNING') {
      // The engine's state is not kept: an execution cut short by a stop is over.
      record.status = 'ABORTED';
      record.stopDate = Date.now();
      record.error = 'LocalStack.Stopped';
      record.cause =
        'The local stack stopped while this execution was running; local executions do not survive a restart.';
      saveExecution(record);
    }
    executions.set(record.executionArn, record);
  }

  function saveMachines() {
    writeJsonAtomic(machinesFile, [...machines.values()]);
  }
  function executionFile(arn: string) {
    return path.join(executionsDir, `${createHash('sha256').update(arn).digest('hex').slice(0, 32)}.json`);
  }
  function saveExecution(record: ExecutionRecord) {
    try {
      writeJsonAtomic(executionFile(record.executionArn), record);
    } catch (error) {
      options.log.line('states', `cannot save ${record.executionArn}: ${messageOf(error)}`);
    }
  }

  function mockConfig(): MockConfig {
    const file = options.mockConfigPath;
    if (!file)
      throw new ServiceError(
        'ValidationException',
        'Executions on <stateMachineArn>#<TestCase> need SFN_MOCK_CONFIG to name a MockConfigFile',
      );
    const mtimeMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (!mockCache || mockCache.path !== file || mockCache.mtimeMs !== mtimeMs) {
      try {
        mockCache = { path: file, mtimeMs, config: loadMockConfig(file) };
      } catch (error) {
        throw new ServiceError('ValidationException', (error as Error).message);
      }
    }
    return mockCache.config;
  }

  function machineOf(arn: unknown): MachineRecord {
    if (typeof arn !== 'string' || !arn.startsWith('arn:aws:states:') || !arn.includes(':stateMachine:')) {
      throw new ServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    const machine = machines.get(arn);
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  function executionOf(arn: unknown): ExecutionRecord {
    if (typeof arn !== 'string' || !arn.startsWith('arn:aws:states:') || !arn.includes(':execution:')) {
      throw new ServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    const record = executions.get(arn);
    if (!record) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  function historyOf(record: ExecutionRecord, includeExecutionData = true): HistoryEventRecord[] {
    const running = live.get(record.executionArn);
    if (running) {
      return toHistory(running.log, {
        index: running.index,
        attempts: running.attempts,
        region: options.region,
        roleArn: record.roleArn,
        ...(running.abortDetails ? { abort: running.abortDetails } : {}),
        includeExecutionData,
      });
    }
    const history = record.history ?? [];
    if (includeExecutionData) return history;
    return history.map((event) => stripData(event));
  }

  function startExecution(body: Record<string, unknown>) {
    if (closing) throw new ServiceError('ServiceUnavailable', 'The local stack is stopping', 503);
    const { stateMachineArn: requested } = body;
    if (typeof requested !== 'string') throw new ServiceError('ValidationException', 'stateMachineArn is required');
    const { stateMachineArn, testCase } = splitTestCaseArn(requested);
    const machine = machineOf(stateMachineArn);
    const name = body.name === undefined ? randomUUID() : body.name;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      throw new ServiceError('InvalidName', `Invalid Name: '${String(name)}'`);
    const input = body.input === undefined ? '{}' : body.input;
    let parsedInput: unknown;
    try {
      if (typeof input !== 'string') throw new Error('input must be a string');
      parsedInput = JSON.parse(input);
    } catch (error) {
      throw new ServiceError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // Idempotent for a running STANDARD execution with the same input, as on AWS.
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn, startDate: existing.startDate / 1000 };
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    let mock: { config: MockConfig; stateMachineName: string; testCase: string } | undefined;
    if (testCase !== undefined) {
      const config = mockConfig();
      try {
        testCaseOf(config, machine.name, testCase);
      } catch (error) {
        throw new ServiceError('ValidationException', (error as Error).message);
      }
      mock = { config, stateMachineName: machine.name, testCase };
    }
    const definition = JSON.parse(machine.definition) as StateMachineDefinition;
    const index = stateIndex(definition as never);
    const attempts = new Map<string, TaskAttempt[]>();
    const startDate = Date.now();
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      status: 'RUNNING',
      startDate,
      input,
      ...(testCase !== undefined ? { testCase } : {}),
      definition: machine.definition,
      roleArn: machine.roleArn,
    };
    const engine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const retryable = [...index.entries()].filter(([name]) => {
      const state = findState(definition, name);
      return Array.isArray(state?.Retry);
    });
    const execution = engine.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: bindTaskStates({
          index,
          invoke: options.invoke,
          attempts,
          ...(mock ? { mock } : {}),
        }) as never,
        ...(options.retryIntervalMs !== undefined
          ? {
              retryIntervalOverrides: Object.fromEntries(
                retryable.map(([name]) => [name, options.retryIntervalMs as number]),
              ),
            }
          : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          StartTime: new Date(startDate).toISOString(),
          Input: parsedInput as never,
          RoleArn: machine.roleArn,
        },
        StateMachine: { Id: stateMachineArn, Name: machine.name },
      },
    });
    const running: LiveExecution = {
      record,
      log: [],
      attempts,
      index,
      abort: () => execution.abort(),
      done: Promise.resolve(),
    };
    running.done = (async () => {
      const outcome = execution.result.then(
        (output) => ({ ok: true as const, output }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      try {
        for await (const event of execution.eventLogs) running.log.push(event as unknown as EngineEvent);
      } catch (error) {
        options.log.line('states', `${executionArn}: event log failed: ${messageOf(error)}`);
      }
      const result = await outcome;
      try {
        finish(running, result.ok ? { output: result.output } : { error: result.error });
      } catch (error) {
        live.delete(executionArn);
        options.log.line('states', `${executionArn}: could not record the end: ${messageOf(error)}`);
      }
    })();
    executions.set(executionArn, record);
    live.set(executionArn, running);
    saveExecution(record);
    options.log.line('states', `started ${executionArn}${testCase ? ` (test case ${testCase})` : ''}`);
    return { executionArn, startDate: startDate / 1000 };
  }

  function finish(running: LiveExecution, result: { output?: unknown; error?: unknown }) {
    const { record } = running;
    const last = [...running.log]
      .reverse()
      .find((event) => event.type.startsWith('Execution') && event.type !== 'ExecutionStarted');
    record.stopDate = last?.timestamp ?? Date.now();
    if (running.abortDetails || last?.type === 'ExecutionAborted') {
      record.status = 'ABORTED';
      if (running.abortDetails?.error) record.error = running.abortDetails.error;
      if (running.abortDetails?.cause) record.cause = running.abortDetails.cause;
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
    record.history = toHistory(running.log, {
      index: running.index,
      attempts: running.attempts,
      region: options.region,
      roleArn: record.roleArn,
      ...(running.abortDetails ? { abort: running.abortDetails } : {}),
    });
    live.delete(record.executionArn);
    saveExecution(record);
    options.log.line('states', `${record.status} ${record.executionArn}${record.error ? ` ${record.error}` : ''}`);
  }

  /** What ListExecutions gives per execution; DescribeExecution adds input, output and errors. */
  function executionSummary(record: ExecutionRecord) {
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate / 1000,
      ...(record.stopDate !== undefined ? { stopDate: record.stopDate / 1000 } : {}),
    };
  }

  function describeExecution(record: ExecutionRecord) {
    return {
      ...executionSummary(record),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  function describeMachine(machine: MachineRecord) {
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: machine.creationDate / 1000,
      loggingConfiguration: machine.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: machine.tracingConfiguration ?? { enabled: false },
    };
  }

  function page<T>(items: T[], body: Record<string, unknown>, defaultSize = 100): { items: T[]; nextToken?: string } {
    const size = body.maxResults === undefined || body.maxResults === 0 ? defaultSize : Number(body.maxResults);
    if (!Number.isInteger(size) || size < 0 || size > 1000)
      throw new ServiceError('ValidationException', 'maxResults must be between 0 and 1000');
    const start = body.nextToken === undefined ? 0 : Number.parseInt(String(body.nextToken), 36);
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      throw new ServiceError('InvalidToken', `Invalid Token: '${String(body.nextToken)}'`);
    const slice = items.slice(start, start + size);
    return { items: slice, ...(start + size < items.length ? { nextToken: (start + size).toString(36) } : {}) };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateStateMachine(body) {
      const { name, definition, roleArn } = body;
      if (typeof name !== 'string' || !NAME_PATTERN.test(name))
        throw new ServiceError('InvalidName', `Invalid Name: '${String(name)}'`);
      if (typeof definition !== 'string') throw new ServiceError('InvalidDefinition', 'definition is required');
      if (typeof roleArn !== 'string' || !roleArn.startsWith('arn:'))
        throw new ServiceError('InvalidArn', `Invalid Arn: '${String(roleArn)}'`);
      validateDefinition(definition, name);
      const arn = `arn:aws:states:${options.region}:${options.accountId}:stateMachine:${name}`;
      const existing = machines.get(arn);
      if (existing) {
        if (existing.definition === definition && existing.roleArn === roleArn)
          return { stateMachineArn: arn, creationDate: existing.creationDate / 1000 };
        throw new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      const machine: MachineRecord = {
        arn,
        name,
        definition,
        roleArn,
        type: typeof body.type === 'string' ? body.type : 'STANDARD',
        creationDate: Date.now(),
        fromTemplate: false,
        ...(body.loggingConfiguration ? { loggingConfiguration: body.loggingConfiguration } : {}),
        ...(body.tracingConfiguration ? { tracingConfiguration: body.tracingConfiguration } : {}),
      };
      machines.set(arn, machine);
      saveMachines();
      return { stateMachineArn: arn, creationDate: machine.creationDate / 1000 };
    },
    UpdateStateMachine(body) {
      const machine = machineOf(body.stateMachineArn);
      if (
        body.definition === undefined &&
        body.roleArn === undefined &&
        body.loggingConfiguration === undefined &&
        body.tracingConfiguration === undefined
      ) {
        throw new ServiceError(
          'MissingRequiredParameter',
          'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
        );
      }
      if (body.definition !== undefined) {
        if (typeof body.definition !== 'string')
          throw new ServiceError('InvalidDefinition', 'definition must be a string');
        validateDefinition(body.definition, machine.name);
        machine.definition = body.definition;
      }
      if (typeof body.roleArn === 'string') machine.roleArn = body.roleArn;
      if (body.loggingConfiguration) machine.loggingConfiguration = body.loggingConfiguration;
      if (body.tracingConfiguration) machine.tracingConfiguration = body.tracingConfiguration;
      machine.updateDate = Date.now();
      saveMachines();
      return { updateDate: machine.updateDate / 1000 };
    },
    DeleteStateMachine(body) {
      const machine = machineOf(body.stateMachineArn);
      machines.delete(machine.arn);
      saveMachines();
      return {};
    },
    DescribeStateMachine: (body) => describeMachine(machineOf(body.stateMachineArn)),
    DescribeStateMachineForExecution(body) {
      const record = executionOf(body.executionArn);
      const machine = machines.get(record.stateMachineArn);
      return {
        stateMachineArn: record.stateMachineArn,
        name: machine?.name ?? record.stateMachineArn.split(':').at(-1),
        definition: record.definition,
        roleArn: record.roleArn,
        updateDate: (machine?.updateDate ?? machine?.creationDate ?? record.startDate) / 1000,
      };
    },
    ListStateMachines(body) {
      const all = [...machines.values()].sort((a, b) => a.name.localeCompare(b.name));
      const { items, nextToken } = page(all, body);
      return {
        stateMachines: items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: machine.type,
          creationDate: machine.creationDate / 1000,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    StartExecution: startExecution,
    DescribeExecution: (body) => describeExecution(executionOf(body.executionArn)),
    GetExecutionHistory(body) {
      const record = executionOf(body.executionArn);
      const events = historyOf(record, body.includeExecutionData !== false);
      const ordered = body.reverseOrder === true ? [...events].reverse() : events;
      const { items, nextToken } = page(ordered, body);
      return {
        events: items.map((event) => ({ ...event, timestamp: event.timestamp / 1000 })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    ListExecutions(body) {
      const machineArn = body.stateMachineArn;
      if (machineArn !== undefined) machineOf(machineArn);
      const filter = body.statusFilter;
      const all = [...executions.values()]
        .filter(
          (record) =>
            (machineArn === undefined || record.stateMachineArn === machineArn) &&
            (filter === undefined || record.status === filter),
        )
        .sort((a, b) => b.startDate - a.startDate);
      const { items, nextToken } = page(all, body);
      return {
        executions: items.map(executionSummary),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    StopExecution(body) {
      const record = executionOf(body.executionArn);
      const running = live.get(record.executionArn);
      if (!running || record.status !== 'RUNNING') return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
      running.abortDetails = {
        ...(typeof body.error === 'string' ? { error: body.error } : {}),
        ...(typeof body.cause === 'string' ? { cause: body.cause } : {}),
      };
      running.abort();
      return { stopDate: Date.now() / 1000 };
    },
  };

  return {
    async handle(operation, body) {
      const run = operations[operation];
      if (!run)
        throw new ServiceError(
          'UnknownOperationException',
          `The local Step Functions API does not implement ${operation}`,
        );
      return run(body);
    },
    async idle() {
      while (live.size > 0) await Promise.all([...live.values()].map((running) => running.done));
    },
    async close() {
      closing = true;
      for (const running of live.values()) {
        running.abortDetails = {
          error: 'LocalStack.Stopped',
          cause: 'The local stack stopped while this execution was running.',
        };
        running.abort();
      }
      await Promise.race([
        Promise.all([...live.values()].map((running) => running.done)),
        new Promise((resolve) => setTimeout(resolve, 2000)),
      ]);
    },
  };
}

function validateDefinition(text: string, where: string): void {
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

function findState(definition: StateMachineDefinition, name: string): { Retry?: unknown } | undefined {
  const states = definition.States as Record<
    string,
    {
      Retry?: unknown;
      Branches?: StateMachineDefinition[];
      ItemProcessor?: StateMachineDefinition;
      Iterator?: StateMachineDefinition;
    }
  >;
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    for (const nested of [
      ...(state.Branches ?? []),
      ...(state.ItemProcessor ? [state.ItemProcessor] : []),
      ...(state.Iterator ? [state.Iterator] : []),
    ]) {
      const found = findState(nested, name);
      if (found) return found;
    }
  }
  return undefined;
}

function stripData(event: HistoryEventRecord): HistoryEventRecord {
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

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJsonAtomic(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value));
  renameSync(temp, file);
}
