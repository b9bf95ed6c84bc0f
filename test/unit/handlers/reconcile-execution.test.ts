import { expect } from 'chai';
import sinon from 'sinon';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { handler } from '../../../functions/reconcile-execution';
import { InvalidEvent, TransientError } from '../../../functions/lib/errors';
import { imageIdFor } from '../../../functions/lib/upload-key';
import { AwsMocks, awsError, eventFixture, NOTIFICATION_TOPIC_ARN, TABLE } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

interface StatusChange {
  detail: Record<string, unknown> & { executionArn: string; input: string };
}

const failed = () => eventFixture<StatusChange>('execution-status-change-failed.json');
const aborted = () => eventFixture<StatusChange>('execution-status-change-aborted.json');
const KEY = (JSON.parse(failed().detail.input) as { upload: { key: string } }).upload.key;

/** ReconcileExecution with the events/ fixtures of "Step Functions Execution Status Change". */
describe('ReconcileExecution handler', () => {
  let aws: AwsMocks;
  let stdout: sinon.SinonStub;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    // Powertools Metrics writes its EMF lines to stdout: kept here to count what was emitted.
    stdout = sinon.stub(process.stdout, 'write').returns(true);
  });
  afterEach(() => stdout.restore());
  after(() => aws.restore());

  const published = (): PublishCommandInput[] =>
    aws.snsClient.commandCalls(PublishCommand).map((call) => call.args[0].input);
  const updates = (): UpdateCommandInput[] => aws.dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
  /** The metric names of every EMF line written so far. */
  const metricNames = (): string[] =>
    stdout.args
      .map(([chunk]) => String(chunk))
      .filter((line) => line.includes('"_aws"'))
      .flatMap((line) =>
        (
          JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } }
        )._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((metric) => metric.Name)),
      );

  it('FAILED: marks the item FAILED, only while it is PROCESSING for this execution, with its error and cause', async () => {
    const event = failed();
    const outcome = await handler(event);
    expect(outcome).to.deep.include({ outcome: 'failed', imageId: imageIdFor(KEY) });
    const [update, ...more] = updates();
    expect(more).to.deep.equal([]);
    expect(update?.TableName).to.equal(TABLE);
    expect(update?.Key).to.deep.equal({ imageId: imageIdFor(KEY) });
    expect(update?.ConditionExpression).to.equal('#status = :processing AND executionArn = :arn');
    expect(update?.ExpressionAttributeValues).to.deep.include({
      ':failed': 'FAILED',
      ':processing': 'PROCESSING',
      ':arn': event.detail.executionArn,
    });
    const error = update?.ExpressionAttributeValues?.[':error'] as { name: string; message: string };
    expect(error.name).to.equal('ExecutionFailed');
    expect(error.message).to.equal(
      'The execution failed before recording the outcome (States.TaskFailed: Recording status FAILED: ProvisionedThroughputExceededException)',
    );
    // The event carried the input, the error and the cause: the execution is not read.
    expect(aws.sfn.commandCalls(DescribeExecutionCommand)).to.have.lengthOf(0);
    expect(metricNames()).to.have.members(['Outcomes', 'ReconciledExecutions']);
  });

  it('ABORTED without error or cause: the item says the execution was aborted', async () => {
    await handler(aborted());
    const error = updates()[0]?.ExpressionAttributeValues?.[':error'] as { name: string; message: string };
    expect(error).to.deep.equal({
      name: 'ExecutionAborted',
      message: 'The execution was aborted before recording the outcome',
    });
  });

  it('an item no longer PROCESSING for this execution (finished, newer upload, deleted) is left alone and not counted', async () => {
    aws.dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const outcome = await handler(failed());
    expect(outcome).to.deep.equal({
      executionArn: failed().detail.executionArn,
      outcome: 'unchanged',
      imageId: imageIdFor(KEY),
    });
    expect(metricNames()).to.deep.equal([]);
    expect(published(), 'a redelivered event sends nothing').to.deep.equal([]);
  });

  it('an event without the input (over 248 KiB) reads it, with error and cause, from DescribeExecution', async () => {
    const event = failed();
    const input = event.detail.input;
    event.detail.inputDetails = { included: false };
    delete event.detail.error;
    delete event.detail.cause;
    aws.sfn.on(DescribeExecutionCommand).resolves({ input, error: 'States.Timeout', cause: 'Task timed out' });
    await handler(event);
    expect(aws.sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).to.deep.equal([
      { executionArn: event.detail.executionArn },
    ]);
    const error = updates()[0]?.ExpressionAttributeValues?.[':error'] as { message: string };
    expect(error.message).to.equal(
      'The execution failed before recording the outcome (States.Timeout: Task timed out)',
    );
  });

  it('an execution that no longer exists, or whose input names no upload, is ignored without a write', async () => {
    const event = failed();
    event.detail.inputDetails = { included: false };
    aws.sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    expect(await handler(event)).to.deep.include({ outcome: 'ignored', reason: 'no upload in the input' });
    const handMade = failed();
    handMade.detail.input = '{"anything":"else"}';
    expect(await handler(handMade)).to.deep.include({ outcome: 'ignored' });
    expect(updates()).to.deep.equal([]);
  });

  it("another state machine's execution is ignored (the rule filters, the function checks again)", async () => {
    const event = failed();
    event.detail.stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:Other';
    expect(await handler(event)).to.deep.include({ outcome: 'ignored', reason: 'another state machine' });
    expect(updates()).to.deep.equal([]);
  });

  it('refuses what is not a FAILED, TIMED_OUT or ABORTED status change with InvalidEvent', async () => {
    const succeeded = failed();
    succeeded.detail.status = 'SUCCEEDED';
    await expectRejection(handler(succeeded), InvalidEvent);
    await expectRejection(handler({ detail: {} }), InvalidEvent);
    expect(updates()).to.deep.equal([]);
  });

  it('sends the outcome its execution never reached NotifyResult for: one FAILED message with the attributes', async () => {
    const outcome = await handler(failed());
    expect(outcome).to.deep.include({ outcome: 'failed', notified: true });
    const [message, ...more] = published();
    expect(more).to.deep.equal([]);
    const { userId, albumId, fileName } = (JSON.parse(failed().detail.input) as { upload: Record<string, string> })
      .upload;
    expect(message?.TopicArn).to.equal(NOTIFICATION_TOPIC_ARN);
    expect(message?.Subject).to.equal(`Photo processing failed: ${fileName}`);
    expect(message?.Message).to.include('Outcome: FAILED: ExecutionFailed: The execution failed');
    expect(message?.MessageAttributes).to.deep.include({
      status: { DataType: 'String', StringValue: 'FAILED' },
      userId: { DataType: 'String', StringValue: userId },
      albumId: { DataType: 'String', StringValue: albumId },
      faceDetected: { DataType: 'String', StringValue: 'unknown' },
    });
  });

  it('a publish that fails leaves the item FAILED and the invocation successful, counted as NotificationsFailed', async () => {
    aws.snsClient.on(PublishCommand).rejects(awsError('AuthorizationErrorException', 403));
    const outcome = await handler(failed());
    expect(outcome).to.deep.include({ outcome: 'failed', notified: false });
    expect(updates()).to.have.lengthOf(1);
    expect(metricNames()).to.have.members(['Outcomes', 'ReconciledExecutions', 'NotificationsFailed']);
  });

  it('throttling is a TransientError, so Lambda retries the event and then dead-letters it', async () => {
    aws.dynamo.on(UpdateCommand).rejects(awsError('ThrottlingException'));
    await expectRejection(handler(failed()), TransientError);
  });
});
