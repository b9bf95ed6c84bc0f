import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../http/respond';
import { messageOf, type StackLog } from '../log';
import type { StateMachineModel } from '../stack-model';
import type { HistoryEventRecord } from './history';
import { checkArn, validateDefinition } from './validation';

/**
 * State machines and executions on disk, under the stack's data folder: `state-machines.json`, and one JSON file per
 * execution under `executions/` (with its history once it has ended). Machines created through the API survive a
 * restart; the template's are (re)deployed from template.yaml; an execution a stop cut short is recorded as ABORTED.
 */
export interface MachineRecord {
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

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
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
  /** The end's status-change event has not reached the event bus's rules yet: put again after a restart. */
  statusEventPending?: boolean;
}

export class StateMachineStore {
  readonly machines = new Map<string, MachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly machinesFile: string;
  private readonly executionsDir: string;

  constructor(
    directory: string,
    templateMachines: StateMachineModel[],
    private readonly log: StackLog,
  ) {
    this.machinesFile = path.join(directory, 'state-machines.json');
    this.executionsDir = path.join(directory, 'executions');
    mkdirSync(this.executionsDir, { recursive: true });
    this.loadMachines(templateMachines);
    this.loadExecutions();
  }

  /** The machine an ARN names, or InvalidArn / StateMachineDoesNotExist. */
  machine(arn: unknown): MachineRecord {
    const machine = this.machines.get(checkArn(arn, 'stateMachine'));
    if (!machine) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  /** The execution an ARN names, or InvalidArn / ExecutionDoesNotExist. */
  execution(arn: unknown): ExecutionRecord {
    const record = this.executions.get(checkArn(arn, 'execution'));
    if (!record) throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return record;
  }

  /** The ended executions whose status-change event is still to be put on the bus (oldest end first). */
  pendingStatusEvents(): ExecutionRecord[] {
    return [...this.executions.values()]
      .filter((record) => record.statusEventPending && record.status !== 'RUNNING')
      .sort((a, b) => (a.stopDate ?? 0) - (b.stopDate ?? 0));
  }

  saveMachines(): void {
    writeJsonAtomic(this.machinesFile, [...this.machines.values()]);
  }

  /** Best effort: a record that cannot be written is logged, the execution goes on. */
  saveExecution(record: ExecutionRecord): void {
    try {
      writeJsonAtomic(this.executionFile(record.executionArn), record);
    } catch (error) {
      this.log.line('states', `cannot save ${record.executionArn}: ${messageOf(error)}`);
    }
  }

  private executionFile(arn: string): string {
    return path.join(this.executionsDir, `${createHash('sha256').update(arn).digest('hex').slice(0, 32)}.json`);
  }

  private loadMachines(templateMachines: StateMachineModel[]): void {
    for (const machine of readJson<MachineRecord[]>(this.machinesFile) ?? [])
      if (!machine.fromTemplate) this.machines.set(machine.arn, machine);
    for (const machine of templateMachines) {
      validateDefinition(machine.definition, `${machine.logicalId} (template.yaml)`);
      this.machines.set(machine.arn, {
        arn: machine.arn,
        name: machine.name,
        definition: machine.definition,
        roleArn: machine.roleArn,
        type: machine.type,
        creationDate: Date.now(),
        fromTemplate: true,
      });
    }
    this.saveMachines();
  }

  private loadExecutions(): void {
    for (const file of readdirSync(this.executionsDir)) {
      if (!file.endsWith('.json')) continue;
      const record = readJson<ExecutionRecord>(path.join(this.executionsDir, file));
      if (!record) continue;
      if (record.status === 'RUNNING') {
        // The engine's state is not kept: an execution cut short by a crash is over, and says so on the bus.
        record.status = 'ABORTED';
        record.statusEventPending = true;
        record.stopDate = Date.now();
        record.error = 'LocalStack.Stopped';
        record.cause =
          'The local stack stopped while this execution was running; local executions do not survive a restart.';
        this.saveExecution(record);
      }
      this.executions.set(record.executionArn, record);
    }
  }
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
