import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStarter } from '../executions';
import { sfnClient } from './sfn-client';
import { callAws } from './transient';

/** ExecutionStarter on Step Functions: ExecutionAlreadyExists is a duplicate, a transient failure TransientError. */
export class SfnExecutions implements ExecutionStarter {
  constructor(private readonly sfn: SFNClient) {}

  async start(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'duplicate'> {
    try {
      await callAws('StartExecution', () =>
        this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })),
      );
      return 'started';
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      return 'duplicate';
    }
  }
}

let executions: ExecutionStarter | undefined;

/** The ExecutionStarter of this container. */
export function sfnExecutions(): ExecutionStarter {
  executions ??= new SfnExecutions(sfnClient());
  return executions;
}
