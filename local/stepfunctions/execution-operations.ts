import { randomUUID } from 'node:crypto';
import { ServiceError } from '../http/respond';
import type { ApiContext } from './api';
import { splitTestCaseArn } from './mock-config';
import type { ExecutionRecord } from './store';
import { checkName, page, parseExecutionInput } from './validation';

/** The execution operations of the Step Functions API: the store for what is kept, the runner for what runs. */

export function startExecution({ store, runner, mocks }: ApiContext, body: Record<string, unknown>) {
  if (runner.closing) throw new ServiceError('ServiceUnavailable', 'The local stack is stopping', 503);
  const { stateMachineArn: requested } = body;
  if (typeof requested !== 'string') throw new ServiceError('ValidationException', 'stateMachineArn is required');
  const { stateMachineArn, testCase } = splitTestCaseArn(requested);
  const machine = store.machine(stateMachineArn);
  const name = checkName(body.name === undefined ? randomUUID() : body.name);
  const input = parseExecutionInput(body.input);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const existing = store.executions.get(executionArn);
  if (existing) {
    // Idempotent for a running STANDARD execution with the same input, as on AWS.
    if (existing.status === 'RUNNING' && existing.input === input.text)
      return { executionArn, startDate: existing.startDate / 1000 };
    throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }
  const mock = testCase !== undefined ? mocks.testCase(machine.name, testCase) : undefined;
  const record: ExecutionRecord = {
    executionArn,
    stateMachineArn,
    name,
    status: 'RUNNING',
    startDate: Date.now(),
    input: input.text,
    ...(testCase !== undefined ? { testCase } : {}),
    definition: machine.definition,
    roleArn: machine.roleArn,
  };
  runner.start(record, machine, input.value, mock);
  return { executionArn, startDate: record.startDate / 1000 };
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

export function describeExecution({ store }: ApiContext, body: Record<string, unknown>) {
  const record = store.execution(body.executionArn);
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

export function getExecutionHistory({ store, runner }: ApiContext, body: Record<string, unknown>) {
  const record = store.execution(body.executionArn);
  const events = runner.history(record, body.includeExecutionData !== false);
  const ordered = body.reverseOrder === true ? [...events].reverse() : events;
  const { items, nextToken } = page(ordered, body);
  return {
    events: items.map((event) => ({ ...event, timestamp: event.timestamp / 1000 })),
    ...(nextToken ? { nextToken } : {}),
  };
}

export function listExecutions({ store }: ApiContext, body: Record<string, unknown>) {
  const machineArn = body.stateMachineArn;
  if (machineArn !== undefined) store.machine(machineArn);
  const filter = body.statusFilter;
  const all = [...store.executions.values()]
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
}

export function stopExecution({ store, runner }: ApiContext, body: Record<string, unknown>) {
  const record = store.execution(body.executionArn);
  const stopped = runner.stop(record, {
    ...(typeof body.error === 'string' ? { error: body.error } : {}),
    ...(typeof body.cause === 'string' ? { cause: body.cause } : {}),
  });
  return { stopDate: (stopped ? Date.now() : (record.stopDate ?? Date.now())) / 1000 };
}
