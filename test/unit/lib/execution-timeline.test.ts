import { expect } from 'chai';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SfnExecutionReader } from '../../../functions/lib/aws/sfn-execution-reader';
import { sfnClient } from '../../../functions/lib/aws/sfn-client';
import {
  executionView,
  readableCause,
  type ExecutionView,
  type HistoryEvent,
} from '../../../functions/lib/execution-timeline';
import { awsError, fixtureImage, uploadFor, Workflow, type WorkflowRun } from '../../statemachine/support/workflow';

/**
 * The execution timeline from real histories: the ImageProcessing ASL run by aws-local-stepfunctions over the real
 * handlers, its history in AWS's GetExecutionHistory shape, read through the SfnExecutionReader adapter.
 */
describe('execution timeline', function () {
  this.timeout(30_000);
  let workflow: Workflow;
  const reader = new SfnExecutionReader(sfnClient);
  before(() => {
    workflow = new Workflow();
  });
  beforeEach(() => workflow.reset());
  after(() => workflow.restore());

  /** What GET /photos/{imageId}/execution answers for a finished run, its history served in pages of 10 events. */
  async function timelineOf(run: WorkflowRun): Promise<ExecutionView> {
    const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:ImageProcessing:test';
    workflow.sfn.on(DescribeExecutionCommand).resolves({
      executionArn,
      status: run.status as 'SUCCEEDED',
      startDate: run.history[0]?.timestamp,
      stopDate: run.history.at(-1)?.timestamp,
    });
    workflow.sfn.on(GetExecutionHistoryCommand).callsFake(({ nextToken }: { nextToken?: string }) => {
      const start = Number(nextToken ?? 0);
      const events = run.history.slice(start, start + 10);
      return { events, ...(start + 10 < run.history.length ? { nextToken: String(start + 10) } : {}) };
    });
    const summary = await reader.describe(executionArn);
    if (!summary) throw new Error('no summary');
    return executionView(summary, await reader.history(executionArn));
  }
  const statuses = (view: ExecutionView) => Object.fromEntries(view.steps.map((step) => [step.name, step.status]));
  const step = (view: ExecutionView, name: string) => view.steps.find((s) => s.name === name);

  it('a successful run: every state entered, in order, SUCCEEDED, with times and durations', async () => {
    const run = await workflow.process(uploadFor('photo.jpg'), fixtureImage('nikon-p6000_landscape_gps.jpg'));
    const view = await timelineOf(run);
    expect(view.status).to.equal('SUCCEEDED');
    expect(view.steps.map((s) => s.name)).to.deep.equal(run.statesEntered);
    expect(new Set(Object.values(statuses(view)))).to.deep.equal(new Set(['SUCCEEDED']));
    for (const s of view.steps) {
      expect(s.durationMs, s.name).to.be.a('number').and.at.least(0);
      expect(Date.parse(s.stoppedAt ?? '')).to.be.at.least(Date.parse(s.startedAt));
      expect(s).not.to.have.property('error');
    }
    expect(workflow.sfn.commandCalls(GetExecutionHistoryCommand).length, 'read every page').to.be.greaterThan(1);
    expect(workflow.sfn.commandCalls(GetExecutionHistoryCommand)[0]?.args[0].input).to.include({
      includeExecutionData: false,
    });
  });

  it('a retried step that then succeeds is SUCCEEDED without an error', async () => {
    workflow.dynamo.on(UpdateCommand).rejectsOnce(awsError('ThrottlingException')).resolves({});
    const view = await timelineOf(
      await workflow.process(uploadFor('photo.jpg'), fixtureImage('nikon-p6000_landscape_gps.jpg')),
    );
    expect(step(view, 'StoreImageMetadata')).to.deep.include({ status: 'SUCCEEDED' });
    expect(step(view, 'StoreImageMetadata')).not.to.have.property('error');
  });

  it('a failing branch: the Task FAILED with its error and message, the Parallel CAUGHT, the Fail state FAILED', async () => {
    workflow.s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    const view = await timelineOf(
      await workflow.process(uploadFor('photo.jpg'), fixtureImage('nikon-p6000_landscape_gps.jpg')),
    );
    expect(view.status).to.equal('FAILED');
    expect(step(view, 'GenerateThumbnail')).to.deep.include({
      status: 'FAILED',
      error: 'AccessDenied',
      cause: 'Access Denied',
    });
    expect(step(view, 'ProcessImage')).to.deep.include({ status: 'CAUGHT' });
    expect(step(view, 'RecordFailure')).to.deep.include({ status: 'SUCCEEDED' });
    expect(step(view, 'ProcessingFailed')).to.deep.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
    expect(step(view, 'StoreImageMetadata')?.status).to.equal('SUCCEEDED');
  });

  it('an unsupported photo: RecordUnsupported SUCCEEDED, the outcome published, the execution fails in its Fail state', async () => {
    const view = await timelineOf(
      await workflow.process(uploadFor('cat.gif'), fixtureImage('generated_chelsea-cat.gif')),
    );
    expect(statuses(view)).to.deep.equal({
      ExtractImageMetadata: 'SUCCEEDED',
      ImageTypeCheck: 'SUCCEEDED',
      RecordUnsupported: 'SUCCEEDED',
      NotifyResult: 'SUCCEEDED',
      OutcomeCheck: 'SUCCEEDED',
      NotSupportedImageType: 'FAILED',
    });
    expect(step(view, 'NotSupportedImageType')?.error).to.equal('NotSupportedImageType');
  });

  it('answers undefined for an execution that does not exist', async () => {
    workflow.sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await reader.describe('arn:aws:states:us-east-1:1:execution:M:x')).to.equal(undefined);
  });

  describe('running executions (hand-made histories)', () => {
    const at = (second: number) => `2026-11-22T10:15:${String(second).padStart(2, '0')}.000Z`;
    const summary = { executionArn: 'arn', status: 'RUNNING' as const, startedAt: at(0) };
    const base: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
      { id: 2, previousEventId: 1, type: 'TaskStateEntered', timestamp: at(1), stateName: 'ExtractImageMetadata' },
      { id: 3, previousEventId: 2, type: 'TaskScheduled', timestamp: at(1) },
      { id: 4, previousEventId: 3, type: 'TaskStarted', timestamp: at(1) },
    ];

    it('the current step is RUNNING, with no stop time', () => {
      const view = executionView(summary, base);
      expect(view.steps).to.deep.equal([{ name: 'ExtractImageMetadata', status: 'RUNNING', startedAt: at(1) }]);
    });

    it('a failed attempt waiting for its retry is still RUNNING', () => {
      const failed: HistoryEvent = {
        id: 5,
        previousEventId: 4,
        type: 'TaskFailed',
        timestamp: at(2),
        error: 'TransientError',
        cause: '{"errorType":"TransientError","errorMessage":"throttled","trace":["at x"]}',
      };
      expect(executionView(summary, [...base, failed]).steps[0]?.status).to.equal('RUNNING');
      const retried: HistoryEvent[] = [
        ...base,
        failed,
        { id: 6, previousEventId: 5, type: 'TaskScheduled', timestamp: at(4) },
      ];
      expect(executionView(summary, retried).steps[0]?.status).to.equal('RUNNING');
      const aborted = executionView({ ...summary, status: 'ABORTED', stoppedAt: at(5) }, [
        ...retried,
        { id: 7, previousEventId: 6, type: 'ExecutionAborted', timestamp: at(5) },
      ]);
      expect(aborted.steps[0]).to.deep.include({
        status: 'FAILED',
        error: 'TransientError',
        cause: 'throttled',
        durationMs: 1000,
      });
    });

    it('a step cut short by a timed-out execution is FAILED with the execution error', () => {
      const view = executionView({ ...summary, status: 'TIMED_OUT', stoppedAt: at(9) }, [
        ...base,
        { id: 5, previousEventId: 4, type: 'ExecutionTimedOut', timestamp: at(9), error: 'States.Timeout' },
      ]);
      expect(view.steps[0]).to.deep.include({
        status: 'FAILED',
        error: 'States.Timeout',
        stoppedAt: at(9),
        durationMs: 8000,
      });
    });
  });

  it('shows a Lambda error cause by its message, and cuts long causes', () => {
    expect(readableCause('{"errorType":"CorruptImage","errorMessage":"Truncated JPEG","trace":["a","b"]}')).to.equal(
      'Truncated JPEG',
    );
    expect(readableCause('plain words')).to.equal('plain words');
    expect(readableCause('x'.repeat(5000))).to.have.lengthOf(1000);
  });
});
