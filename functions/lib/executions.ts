/**
 * What S3Trigger needs from the workflow engine (Step Functions). The core speaks this type; an adapter
 * (functions/lib/aws/sfn-executions.ts) implements it.
 */
export interface ExecutionStarter {
  /** 'duplicate' when an execution of this name already exists: names are idempotency keys, so that is success. */
  start(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'duplicate'>;
}
