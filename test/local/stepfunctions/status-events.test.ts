import { expect } from 'chai';
import { matchesPattern } from '../../../local/events/pattern';
import { statusChangeEvent } from '../../../local/stepfunctions/status-events';
import type { ExecutionRecord } from '../../../local/stepfunctions/store';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:ImageProcessing';

function record(overrides: Partial<ExecutionRecord>): ExecutionRecord {
  return {
    executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:one`,
    stateMachineArn: MACHINE,
    name: 'one',
    status: 'RUNNING',
    startDate: Date.UTC(2026, 10, 30, 12),
    input: '{"upload":{"key":"private/u/uploads/a.jpg"}}',
    definition: '{}',
    roleArn: 'arn:aws:iam::000000000000:role/Any',
    ...overrides,
  };
}

/** The "Step Functions Execution Status Change" events the local Step Functions puts on the local bus. */
describe('local Step Functions status-change events', () => {
  // The pattern of template.yaml's ExecutionStatusChanged rule, with the machine resolved.
  const pattern = {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { stateMachineArn: [MACHINE], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
  };

  it('an ended execution: status, dates, input, error and cause, as AWS sends them; the rule matches the end, not the start', () => {
    const stopDate = Date.UTC(2026, 10, 30, 12, 1);
    const event = statusChangeEvent(
      record({ status: 'ABORTED', stopDate, error: 'LocalStack.Stopped', cause: 'stopped' }),
      'us-east-1',
      '000000000000',
    );
    expect(event).to.deep.include({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      account: '000000000000',
      time: '2026-11-30T12:01:00Z',
    });
    expect(event.resources).to.deep.equal([record({}).executionArn]);
    expect(event.detail).to.deep.include({
      status: 'ABORTED',
      startDate: Date.UTC(2026, 10, 30, 12),
      stopDate,
      input: record({}).input,
      inputDetails: { included: true },
      output: null,
      error: 'LocalStack.Stopped',
      cause: 'stopped',
    });
    expect(matchesPattern(pattern, event)).to.equal(true);
    const running = statusChangeEvent(record({}), 'us-east-1', '000000000000');
    expect(running.detail).to.deep.include({ status: 'RUNNING', stopDate: null, error: null, cause: null });
    expect(matchesPattern(pattern, running)).to.equal(false);
  });

  it('leaves out an input over 248 KiB and says so, as AWS does', () => {
    const input = JSON.stringify({ big: 'x'.repeat(248 * 1024) });
    const event = statusChangeEvent(record({ input, status: 'FAILED', stopDate: 1 }), 'us-east-1', '0');
    expect(event.detail).to.deep.include({ input: null, inputDetails: { included: false } });
  });
});
