import { expect } from 'chai';
import * as errors from '../../functions/lib/errors';
import { PERMANENT_ERROR_NAMES } from '../../functions/lib/errors';
import { allStates, imageProcessingDefinition, type AslState, type Retrier } from '../support/asl-definition';

/** The ASL's shape, checked statically: what issue 3 names, and the error handling rules every path relies on. */
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
// asl-validator 4 is CommonJS with `module.exports = function validator(definition, opts)` and ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as AslValidator;

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
/** The `name` of every error class errors.ts exports (constructed with placeholder arguments). */
const WORKFLOW_ERROR_NAMES = new Set(
  Object.values(errors)
    .filter((value) => typeof value === 'function')
    .map((ErrorClass) => new (ErrorClass as new (...args: unknown[]) => Error)('x', 'y', 1).name),
);

describe('ImageProcessing ASL (statemachine/image-processing.asl.json)', () => {
  const { definition, rawText } = imageProcessingDefinition();
  const states = allStates(definition);
  const byName = new Map(states.map((info) => [info.name, info.state]));
  const state = (name: string): AslState => {
    const found = byName.get(name);
    if (!found) throw new Error(`no state ${name}`);
    return found;
  };
  const tasks = states.filter((info) => info.state.Resource === 'arn:aws:states:::lambda:invoke');
  const SNS_PUBLISH = 'arn:aws:states:::sns:publish';

  it('is valid ASL for asl-validator, as written and with its substitutions resolved', () => {
    for (const candidate of [JSON.parse(rawText), definition]) {
      const result = aslValidator(candidate, { checkPaths: true, checkArn: true });
      expect(result.isValid, result.errorsText('\n')).to.equal(true);
    }
  });

  it('asl-validator does reject a broken copy (a Next to a missing state), so the check above has teeth', () => {
    const broken = structuredClone(definition);
    (broken.States.StoreImageMetadata as AslState).Next = 'ProcessImages';
    const result = aslValidator(broken, { checkPaths: true, checkArn: true });
    expect(result.isValid).to.equal(false);
    expect(result.errorsText()).to.contain('ProcessImages');
  });

  it('uses JSONPath only (Step Functions Local has no JSONata)', () => {
    expect(rawText).to.not.match(/"QueryLanguage"|"Arguments"|"Output"|"Assign"|\{%/);
  });

  it('has the states issue 3 names, of the right types, in the right order', () => {
    expect(definition.StartAt).to.equal('ExtractImageMetadata');
    const types = Object.fromEntries(states.map(({ name, state: s }) => [name, s.Type]));
    expect(types).to.include({
      ExtractImageMetadata: 'Task',
      ImageTypeCheck: 'Choice',
      RecordUnsupported: 'Task',
      NotSupportedImageType: 'Fail',
      StoreImageMetadata: 'Task',
      ConversionCheck: 'Choice',
      ConvertImage: 'Task',
      ProcessImage: 'Parallel',
      DetectLabels: 'Task',
      DetectLabelsFailed: 'Pass',
      GenerateThumbnail: 'Task',
      DetectFaces: 'Task',
      DetectFacesFailed: 'Pass',
      DetectModerationLabels: 'Task',
      DetectModerationLabelsFailed: 'Pass',
      CompleteProcessing: 'Task',
      RecordFailure: 'Task',
      NotifyResult: 'Task',
      OutcomeCheck: 'Choice',
      Processed: 'Succeed',
      ProcessingFailed: 'Fail',
    });
    expect(states.map(({ name }) => name)).to.not.include('StoreLabels');
    expect(state('ExtractImageMetadata').Next).to.equal('ImageTypeCheck');
    for (const record of ['RecordUnsupported', 'CompleteProcessing', 'RecordFailure']) {
      expect(state(record).Next, record).to.equal('NotifyResult');
    }
    expect(state('NotifyResult').Next).to.equal('OutcomeCheck');
    expect(state('StoreImageMetadata').Next).to.equal('ConversionCheck');
    expect(state('ConvertImage').Next).to.equal('ProcessImage');
    expect(state('ProcessImage').Next).to.equal('CompleteProcessing');
  });

  it('sends JPEG, PNG and the uploads ExtractImageMetadata flags convertible on to StoreImageMetadata, everything else to RecordUnsupported', () => {
    const check = state('ImageTypeCheck');
    expect(check.Default).to.equal('RecordUnsupported');
    expect(check.Choices).to.deep.equal([
      {
        Or: [
          { Variable: '$.metadata.Payload.format', StringEquals: 'JPEG' },
          { Variable: '$.metadata.Payload.format', StringEquals: 'PNG' },
        ],
        Next: 'StoreImageMetadata',
      },
      {
        And: [
          { Variable: '$.metadata.Payload.convertible', IsPresent: true },
          { Variable: '$.metadata.Payload.convertible', BooleanEquals: true },
        ],
        Next: 'StoreImageMetadata',
      },
    ]);
  });

  it('ends unsupported uploads in the NotSupportedImageType Fail state', () => {
    expect(state('NotSupportedImageType')).to.include({ Type: 'Fail', Error: 'NotSupportedImageType' });
    expect(state('NotSupportedImageType').Cause).to.be.a('string');
  });

  it('runs DetectLabels, GenerateThumbnail, DetectFaces and DetectModerationLabels each in its own ProcessImage branch', () => {
    const branches = state('ProcessImage').Branches ?? [];
    expect(branches.map((branch) => branch.StartAt)).to.deep.equal([
      'DetectLabels',
      'GenerateThumbnail',
      'DetectFaces',
      'DetectModerationLabels',
    ]);
    expect(Object.keys(branches[1]?.States ?? {})).to.deep.equal(['GenerateThumbnail']);
    expect(state('GenerateThumbnail').End).to.equal(true);
    for (const branch of [branches[0], branches[2], branches[3]]) {
      expect(Object.keys(branch?.States ?? {})).to.deep.equal([branch?.StartAt, `${branch?.StartAt}Failed`]);
    }
  });

  it("gives each recognition step a Catch to a Pass that makes its error output the branch's result, so it fails alone", () => {
    for (const [task, field] of [
      ['DetectLabels', 'labels'],
      ['DetectFaces', 'faces'],
      ['DetectModerationLabels', 'moderation'],
    ] as const) {
      const recognition = state(task);
      expect(recognition, task).to.deep.include({ ResultPath: `$.${field}`, End: true });
      expect(recognition.ResultSelector, task).to.deep.equal({ 'Payload.$': '$.Payload' });
      expect(recognition.Catch, task).to.deep.equal([
        { ErrorEquals: ['States.ALL'], ResultPath: `$.${field}`, Next: `${task}Failed` },
      ]);
      // The Pass names no field of the error output: a path that may be missing would be States.Runtime, uncaught.
      expect(state(`${task}Failed`), task).to.deep.include({
        Type: 'Pass',
        Parameters: { Payload: { 'failed.$': `$.${field}` } },
        ResultPath: `$.${field}`,
        End: true,
      });
    }
    expect(state('ProcessImage').ResultSelector).to.deep.equal({
      'labels.$': '$[0].labels.Payload',
      'thumbnail.$': '$[1].thumbnail.Payload',
      'faces.$': '$[2].faces.Payload',
      'moderation.$': '$[3].moderation.Payload',
    });
  });

  it('invokes every Task but NotifyResult through arn:aws:states:::lambda:invoke, with a timeout', () => {
    expect(tasks.map(({ name }) => name)).to.have.lengthOf(10);
    const others = states.filter(({ state: s }) => s.Type === 'Task' && !tasks.some((task) => task.state === s));
    expect(others.map(({ name, state: s }) => [name, s.Resource])).to.deep.equal([['NotifyResult', SNS_PUBLISH]]);
    for (const { name, state: task } of tasks) {
      expect(task.Resource, name).to.equal('arn:aws:states:::lambda:invoke');
      expect(task.Parameters?.FunctionName, name).to.match(/^arn:aws:lambda:us-east-1:123456789012:function:\w+$/);
      expect(task.TimeoutSeconds, name).to.be.a('number');
    }
  });

  it('retries only TransientError and Lambda service errors, never States.ALL or a permanent error', () => {
    for (const { name, state: task } of tasks) {
      // RecordFailure, the last writer of a failure, also retries once after a timeout (checked below).
      const retriers = name === 'RecordFailure' ? task.Retry?.slice(0, 2) : task.Retry;
      expect(retriers, name).to.have.lengthOf(2);
      const retried = (retriers ?? []).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried, name).to.have.members(['TransientError', ...LAMBDA_SERVICE_ERRORS]);
      expect(retried, name).to.not.include.oneOf(['States.ALL', 'States.TaskFailed', ...PERMANENT_ERROR_NAMES]);
      for (const retrier of retriers ?? []) expect(retrier.BackoffRate, name).to.be.at.least(1);
    }
    for (const other of states.filter(({ state: s }) => s.Type !== 'Task'))
      expect(other.state.Retry, other.name).to.equal(undefined);
  });

  it('retries throttling (TransientError, Lambda throttles) longer than a Lambda service fault, with full jitter, waits capped at 30 s', () => {
    // The longest a throttled step can wait in all: the backoff before jitter (FULL draws each wait in [0, that]).
    const longestWaits = (retrier: Retrier) =>
      Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, attempt) =>
        Math.min(
          retrier.MaxDelaySeconds ?? Infinity,
          (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt,
        ),
      );
    for (const { name, state: task } of tasks) {
      const [throttling, service] = task.Retry ?? [];
      expect(throttling?.ErrorEquals, name).to.have.members(['TransientError', 'Lambda.TooManyRequestsException']);
      expect(throttling, name).to.deep.include({ MaxAttempts: 8, JitterStrategy: 'FULL', MaxDelaySeconds: 30 });
      const waits = longestWaits(throttling ?? { ErrorEquals: [] });
      expect(
        waits.reduce((sum, wait) => sum + wait, 0),
        name,
      ).to.be.within(120, 180);
      expect(Math.max(...waits), name).to.equal(30);
      expect(service?.MaxAttempts, name).to.equal(3);
    }
  });

  it('ends a deleted upload (UploadNotFound recorded by RecordFailure) in its own Fail state, not ImageProcessingFailed', () => {
    const recordFailure = state('RecordFailure');
    expect(recordFailure.ResultSelector).to.deep.include({ 'error.$': '$.Payload.error.name' });
    const choices = state('OutcomeCheck').Choices ?? [];
    expect(choices.map((choice) => choice.Next)).to.deep.equal([
      'Processed',
      'NotSupportedImageType',
      'UploadNotFound',
    ]);
    expect(state('UploadNotFound')).to.deep.include({ Type: 'Fail', Error: 'UploadNotFound' });
  });

  it('catches everything outside the Parallel branches into RecordFailure, under $.failure.<State>, superseded uploads first', () => {
    const guarded = states.filter(
      ({ lane, state: s }) =>
        lane === '' &&
        (s.Type === 'Task' || s.Type === 'Parallel') &&
        s !== state('RecordFailure') &&
        s !== state('NotifyResult'),
    );
    expect(guarded.map(({ name }) => name)).to.have.members([
      'ExtractImageMetadata',
      'RecordUnsupported',
      'StoreImageMetadata',
      'ConvertImage',
      'ProcessImage',
      'CompleteProcessing',
    ]);
    for (const { name, state: s } of guarded) {
      const catchers = s.Catch ?? [];
      expect(catchers[0], name).to.deep.equal({
        ErrorEquals: ['UploadSuperseded'],
        ResultPath: '$.superseded',
        Next: 'UploadSuperseded',
      });
      expect(catchers.at(-1), name).to.deep.equal({
        ErrorEquals: ['States.ALL'],
        ResultPath: `$.failure.${name}`,
        Next: 'RecordFailure',
      });
    }
    const between = guarded.flatMap(({ name, state: s }) => (s.Catch ?? []).slice(1, -1).map((c) => ({ name, ...c })));
    expect(between, 'the only other catcher: an animated WebP ConvertImage refuses is UNSUPPORTED').to.deep.equal([
      {
        name: 'ConvertImage',
        ErrorEquals: ['NotSupportedImageType'],
        ResultPath: '$.metadata.Payload.unsupported',
        Next: 'RecordUnsupported',
      },
    ]);
    expect(state('UploadSuperseded').Type).to.equal('Succeed');
  });

  it('retries RecordFailure once more after a timeout, then ends a RecordFailure that still fails in OutcomeNotRecorded', () => {
    expect(state('RecordFailure').Retry?.slice(2)).to.deep.equal([
      { ErrorEquals: ['States.Timeout'], IntervalSeconds: 5, MaxAttempts: 1, BackoffRate: 2 },
    ]);
    // Superseded first: a newer upload's execution records the outcome; anything else fails the execution, whose
    // status change ReconcileExecution turns into the item's FAILED.
    expect(state('RecordFailure').Catch).to.deep.equal([
      { ErrorEquals: ['UploadSuperseded'], ResultPath: '$.superseded', Next: 'UploadSuperseded' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailureError', Next: 'OutcomeNotRecorded' },
    ]);
    expect(state('OutcomeNotRecorded')).to.include({ Type: 'Fail', Error: 'OutcomeNotRecorded' });
    const comesFrom = states.filter(({ state: s }) => (s.Catch ?? []).some((c) => c.Next === 'OutcomeNotRecorded'));
    expect(comesFrom.map(({ name }) => name)).to.deep.equal(['RecordFailure']);
  });

  it('leaves a thumbnail failure to ProcessImage (it fails the photo), and catches inside the branches only to a Pass', () => {
    expect(state('GenerateThumbnail').Catch).to.equal(undefined);
    for (const { name, lane, state: s } of states.filter((info) => info.lane !== '')) {
      expect(lane, name).to.match(/^ProcessImage\/\d$/);
      for (const catcher of s.Catch ?? []) expect(state(catcher.Next).Type, name).to.equal('Pass');
    }
  });

  it('publishes, after every recorded outcome, the notification the record step made, to the topic of the template', () => {
    const notify = state('NotifyResult');
    expect(notify.Resource).to.equal(SNS_PUBLISH);
    expect(notify.Parameters).to.deep.equal({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:NotificationTopic',
      'Subject.$': '$.outcome.notification.subject',
      'Message.$': '$.outcome.notification.message',
      'MessageAttributes.$': '$.outcome.notification.attributes',
    });
    expect(notify.TimeoutSeconds).to.be.a('number');
    for (const record of ['CompleteProcessing', 'RecordUnsupported', 'RecordFailure']) {
      const error = record === 'RecordFailure' ? { 'error.$': '$.Payload.error.name' } : {};
      expect(state(record), record).to.deep.include({
        ResultSelector: { 'status.$': '$.Payload.status', ...error, 'notification.$': '$.Payload.notification' },
        ResultPath: '$.outcome',
        Next: 'NotifyResult',
      });
    }
    const toNotify = states.filter(({ state: s }) => s.Next === 'NotifyResult' || s.Default === 'NotifyResult');
    expect(toNotify.map(({ name }) => name)).to.have.members([
      'CompleteProcessing',
      'RecordUnsupported',
      'RecordFailure',
    ]);
  });

  it('retries SNS throttling and 5xx, then anything once, and goes on whatever became of the message', () => {
    const notify = state('NotifyResult');
    expect(notify.Retry?.[0]?.ErrorEquals).to.have.members([
      'SNS.ThrottledException',
      'SNS.KMSThrottlingException',
      'SNS.InternalErrorException',
    ]);
    expect(notify.Retry?.[1]).to.deep.include({ ErrorEquals: ['States.ALL'], MaxAttempts: 1 });
    expect(notify.Retry).to.have.lengthOf(2);
    expect(notify.Catch).to.deep.equal([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.notificationError', Next: 'OutcomeCheck' },
    ]);
    expect(notify.ResultPath, 'the outcome stays where OutcomeCheck reads it').to.not.match(/^\$\.outcome/);
  });

  it('ends as the recorded outcome says: SUCCEEDED in Processed, UNSUPPORTED in NotSupportedImageType, FAILED in ProcessingFailed or UploadNotFound', () => {
    expect(state('OutcomeCheck').Choices).to.deep.equal([
      { Variable: '$.outcome.status', StringEquals: 'SUCCEEDED', Next: 'Processed' },
      { Variable: '$.outcome.status', StringEquals: 'UNSUPPORTED', Next: 'NotSupportedImageType' },
      {
        And: [
          { Variable: '$.outcome.error', IsPresent: true },
          { Variable: '$.outcome.error', StringEquals: 'UploadNotFound' },
        ],
        Next: 'UploadNotFound',
      },
    ]);
    expect(state('OutcomeCheck').Default).to.equal('ProcessingFailed');
    expect(state('ProcessingFailed')).to.include({ Type: 'Fail', Error: 'ImageProcessingFailed' });
    const comesFrom = (target: string) =>
      states
        .filter(({ state: s }) =>
          [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].includes(
            target,
          ),
        )
        .map(({ name }) => name);
    for (const end of ['Processed', 'NotSupportedImageType', 'ProcessingFailed', 'UploadNotFound']) {
      expect(comesFrom(end), `only OutcomeCheck leads to ${end}`).to.deep.equal(['OutcomeCheck']);
    }
  });

  it('matches only error names the handlers throw (functions/lib/errors.ts), Lambda service errors or States.ALL', () => {
    const known = new Set([...WORKFLOW_ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS, 'States.ALL']);
    for (const { name, state: s } of states.filter(({ name: n }) => n !== 'NotifyResult')) {
      for (const matcher of [...(s.Retry ?? []), ...(s.Catch ?? [])]) {
        for (const error of matcher.ErrorEquals) {
          const timeoutOfLastWriter = name === 'RecordFailure' && error === 'States.Timeout';
          expect(known.has(error) || timeoutOfLastWriter, `${name}: ${error}`).to.equal(true);
        }
      }
    }
    expect(WORKFLOW_ERROR_NAMES).to.include('TransientError').and.include('UploadSuperseded');
  });

  it('passes every step the upload and the execution id, and each step the output of the one before', () => {
    for (const { name, state: task } of tasks) {
      expect(task.Parameters?.Payload, name).to.deep.include({
        'upload.$': '$.upload',
        'executionArn.$': '$$.Execution.Id',
      });
    }
    expect(state('CompleteProcessing').Parameters?.Payload).to.include({
      'metadata.$': '$.metadata.Payload',
      'processed.$': '$.processed',
    });
    expect(state('RecordFailure').Parameters?.Payload).to.include({ 'failure.$': '$.failure' });
  });
});
