import { expect } from 'chai';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { SfnExecutions } from '../../../functions/lib/aws/sfn-executions';
import { TransientError } from '../../../functions/lib/errors';
import { awsError } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('SfnExecutions (the ExecutionStarter adapter)', () => {
  let sfn: AwsClientStub<SFNClient>;
  const executions = new SfnExecutions(new SFNClient({ region: 'us-east-1' }));
  const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImageProcessing';
  before(() => {
    sfn = mockClient(SFNClient);
  });
  beforeEach(() => sfn.reset());
  after(() => sfn.restore());

  it('starts the execution with the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
    expect(await executions.start(machine, 'photo-jpg-abc', { upload: { key: 'k' } })).to.equal('started');
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).to.deep.equal([
      { stateMachineArn: machine, name: 'photo-jpg-abc', input: '{"upload":{"key":"k"}}' },
    ]);
  });

  it('answers duplicate for ExecutionAlreadyExists, TransientError for throttling, and rethrows the rest unchanged', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect(await executions.start(machine, 'n', {})).to.equal('duplicate');
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));
    await expectRejection(executions.start(machine, 'n', {}), TransientError, /StartExecution failed transiently/);
    const missing = awsError('StateMachineDoesNotExist');
    sfn.on(StartExecutionCommand).rejects(missing);
    expect(await executions.start(machine, 'n', {}).catch((error: unknown) => error)).to.equal(missing);
  });
});
