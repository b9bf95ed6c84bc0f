import { expect } from 'chai';
import * as errors from '../../functions/lib/errors';
import { PERMANENT_ERROR_NAMES } from '../../functions/lib/errors';
import { allStates, imageProcessingDefinition, type AslState } from '../support/asl-definition';

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
  const tasks = states.filter((info) => info.state.Type === 'Task');

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
      ProcessImage: 'Parallel',
      DetectLabels: 'Task',
      StoreLabels: 'Task',
      GenerateThumbnail: 'Task',
      CompleteProcessing: 'Task',
      RecordFailure: 'Task',
    });
    expect(state('ExtractImageMetadata').Next).to.equal('ImageTypeCheck');
    expect(state('RecordUnsupported').Next).to.equal('NotSupportedImageType');
    expect(state('StoreImageMetadata').Next).to.equal('ProcessImage');
    expect(state('ProcessImage').Next).to.equal('CompleteProcessing');
    expect(state('RecordFailure').Next).to.be.a('string');
    expect(state(state('RecordFailure').Next as string).Type).to.equal('Fail');
  });

  it('sends JPEG and PNG on to StoreImageMetadata and everything else to RecordUnsupported', () => {
    const check = state('ImageTypeCheck');
    expect(check.Default).to.equal('RecordUnsupported');
    expect(check.Choices).to.have.lengthOf(1);
    expect(check.Choices?.[0]).to.deep.equal({
      Or: [
        { Variable: '$.metadata.Payload.format', StringEquals: 'JPEG' },
        { Variable: '$.metadata.Payload.format', StringEquals: 'PNG' },
      ],
      Next: 'StoreImageMetadata',
    });
  });

  it('ends unsupported uploads in the NotSupportedImageType Fail state', () => {
    expect(state('NotSupportedImageType')).to.include({ Type: 'Fail', Error: 'NotSupportedImageType' });
    expect(state('NotSupportedImageType').Cause).to.be.a('string');
  });

  it('runs DetectLabels -> StoreLabels beside GenerateThumbnail in ProcessImage', () => {
    const branches = state('ProcessImage').Branches ?? [];
    expect(branches.map((branch) => branch.StartAt)).to.deep.equal(['DetectLabels', 'GenerateThumbnail']);
    expect(branches[0]?.States.DetectLabels?.Next).to.equal('StoreLabels');
    expect(branches[0]?.States.StoreLabels?.End).to.equal(true);
    expect(Object.keys(branches[1]?.States ?? {})).to.deep.equal(['GenerateThumbnail']);
  });

  it('invokes every Task through arn:aws:states:::lambda:invoke with a timeout', () => {
    expect(tasks.map(({ name }) => name)).to.have.lengthOf(8);
    for (const { name, state: task } of tasks) {
      expect(task.Resource, name).to.equal('arn:aws:states:::lambda:invoke');
      expect(task.Parameters?.FunctionName, name).to.match(/^arn:aws:lambda:us-east-1:123456789012:function:\w+$/);
      expect(task.TimeoutSeconds, name).to.be.a('number');
    }
  });

  it('retries only TransientError and Lambda service errors, never States.ALL or a permanent error', () => {
    for (const { name, state: task } of tasks) {
      expect(task.Retry, name).to.have.lengthOf(1);
      for (const retrier of task.Retry ?? []) {
        expect(retrier.ErrorEquals, name).to.have.members(['TransientError', ...LAMBDA_SERVICE_ERRORS]);
        expect(retrier.ErrorEquals, name).to.not.include.oneOf([
          'States.ALL',
          'States.TaskFailed',
          ...PERMANENT_ERROR_NAMES,
        ]);
        expect(retrier.MaxAttempts, name).to.be.within(1, 5);
        expect(retrier.BackoffRate, name).to.be.at.least(1);
      }
    }
    for (const other of states.filter(({ state: s }) => s.Type !== 'Task'))
      expect(other.state.Retry, other.name).to.equal(undefined);
  });

  it('catches everything outside the Parallel branches into RecordFailure, under $.failure.<State>, superseded uploads first', () => {
    const guarded = states.filter(
      ({ lane, state: s }) =>
        lane === '' && (s.Type === 'Task' || s.Type === 'Parallel') && s !== state('RecordFailure'),
    );
    expect(guarded.map(({ name }) => name)).to.have.members([
      'ExtractImageMetadata',
      'RecordUnsupported',
      'StoreImageMetadata',
      'ProcessImage',
      'CompleteProcessing',
    ]);
    for (const { name, state: s } of guarded) {
      expect(s.Catch, name).to.deep.equal([
        { ErrorEquals: ['UploadSuperseded'], ResultPath: '$.superseded', Next: 'UploadSuperseded' },
        { ErrorEquals: ['States.ALL'], ResultPath: `$.failure.${name}`, Next: 'RecordFailure' },
      ]);
    }
    expect(state('UploadSuperseded').Type).to.equal('Succeed');
  });

  it('lets a failing RecordFailure fail the execution, except when the upload was superseded', () => {
    expect(state('RecordFailure').Catch).to.deep.equal([
      { ErrorEquals: ['UploadSuperseded'], ResultPath: '$.superseded', Next: 'UploadSuperseded' },
    ]);
  });

  it('leaves error handling inside the Parallel branches to ProcessImage', () => {
    for (const { name, lane, state: s } of states.filter((info) => info.lane !== '')) {
      expect(lane, name).to.match(/^ProcessImage\/\d$/);
      expect(s.Catch, name).to.equal(undefined);
    }
  });

  it('matches only error names the handlers throw (functions/lib/errors.ts), Lambda service errors or States.ALL', () => {
    const known = new Set([...WORKFLOW_ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS, 'States.ALL']);
    for (const { name, state: s } of states) {
      for (const matcher of [...(s.Retry ?? []), ...(s.Catch ?? [])]) {
        for (const error of matcher.ErrorEquals) expect(known.has(error), `${name}: ${error}`).to.equal(true);
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
    expect(state('StoreLabels').Parameters?.Payload).to.include({ 'detection.$': '$.detection.Payload' });
    expect(state('CompleteProcessing').Parameters?.Payload).to.include({ 'thumbnail.$': '$.processed.thumbnail' });
    expect(state('RecordFailure').Parameters?.Payload).to.include({ 'failure.$': '$.failure' });
  });
});
