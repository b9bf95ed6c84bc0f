import { ServiceError } from '../http/respond';
import type { ApiContext } from './api';
import type { MachineRecord } from './store';
import { checkName, page, validateDefinition } from './validation';

/** The state machine operations of the Step Functions API, over the store. */

export function createStateMachine({ store, region, accountId }: ApiContext, body: Record<string, unknown>) {
  const { definition, roleArn } = body;
  const name = checkName(body.name);
  if (typeof definition !== 'string') throw new ServiceError('InvalidDefinition', 'definition is required');
  if (typeof roleArn !== 'string' || !roleArn.startsWith('arn:'))
    throw new ServiceError('InvalidArn', `Invalid Arn: '${String(roleArn)}'`);
  validateDefinition(definition, name);
  const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
  const existing = store.machines.get(arn);
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
  store.machines.set(arn, machine);
  store.saveMachines();
  return { stateMachineArn: arn, creationDate: machine.creationDate / 1000 };
}

export function updateStateMachine({ store }: ApiContext, body: Record<string, unknown>) {
  const machine = store.machine(body.stateMachineArn);
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
    if (typeof body.definition !== 'string') throw new ServiceError('InvalidDefinition', 'definition must be a string');
    validateDefinition(body.definition, machine.name);
    machine.definition = body.definition;
  }
  if (typeof body.roleArn === 'string') machine.roleArn = body.roleArn;
  if (body.loggingConfiguration) machine.loggingConfiguration = body.loggingConfiguration;
  if (body.tracingConfiguration) machine.tracingConfiguration = body.tracingConfiguration;
  machine.updateDate = Date.now();
  store.saveMachines();
  return { updateDate: machine.updateDate / 1000 };
}

export function deleteStateMachine({ store }: ApiContext, body: Record<string, unknown>) {
  const machine = store.machine(body.stateMachineArn);
  store.machines.delete(machine.arn);
  store.saveMachines();
  return {};
}

export function describeStateMachine({ store }: ApiContext, body: Record<string, unknown>) {
  const machine = store.machine(body.stateMachineArn);
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

/** The machine an execution ran: its definition and role as the execution recorded them. */
export function describeStateMachineForExecution({ store }: ApiContext, body: Record<string, unknown>) {
  const record = store.execution(body.executionArn);
  const machine = store.machines.get(record.stateMachineArn);
  return {
    stateMachineArn: record.stateMachineArn,
    name: machine?.name ?? record.stateMachineArn.split(':').at(-1),
    definition: record.definition,
    roleArn: record.roleArn,
    updateDate: (machine?.updateDate ?? machine?.creationDate ?? record.startDate) / 1000,
  };
}

export function listStateMachines({ store }: ApiContext, body: Record<string, unknown>) {
  const all = [...store.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
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
}
