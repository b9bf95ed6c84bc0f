import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from '../events/s3-object-events';
import type { ExecutionRecord } from './store';

/**
 * "Step Functions Execution Status Change" events, as Step Functions sends them to the default bus of its account
 * for Standard workflows: one when an execution starts (RUNNING) and one when it ends (SUCCEEDED, FAILED, TIMED_OUT,
 * ABORTED), with the input and output as strings (AWS leaves a payload over 248 KiB out and says so in
 * `inputDetails`/`outputDetails`), and the error and cause of an execution that did not succeed (null otherwise).
 */
const PAYLOAD_LIMIT = 248 * 1024;

export function statusChangeEvent(record: ExecutionRecord, region: string, accountId: string): EventBridgeEvent {
  const input = payload(record.input);
  const output = record.output === undefined ? undefined : payload(record.output);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: accountId,
    time: new Date(record.stopDate ?? record.startDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      stopDate: record.stopDate ?? null,
      input: input.value,
      output: output?.value ?? null,
      inputDetails: { included: input.included },
      outputDetails: output ? { included: output.included } : null,
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}

function payload(value: string): { value: string | null; included: boolean } {
  const included = Buffer.byteLength(value, 'utf8') <= PAYLOAD_LIMIT;
  return { value: included ? value : null, included };
}
