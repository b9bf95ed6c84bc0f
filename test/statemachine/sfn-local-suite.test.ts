import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PERMANENT_ERROR_NAMES } from '../../functions/lib/errors';
import { loadMockConfig, splitTestCaseArn, type MockConfig } from '../../local/stepfunctions/mock-config';
import { PROJECT_ROOT } from '../../local/template';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { coverageProblems } from './sfn-local/coverage';
import { outcomeOf, statesEntered } from './sfn-local/history';
import { loadExpectations, MOCK_CONFIG_PATH, type Expectations } from './sfn-local/expectations';
import { inProcessTarget } from './sfn-local/in-process-target';
import { resolveTarget } from './sfn-local/resolve-target';
import { runSuite, type SuiteResult } from './sfn-local/suite';
import { sfnApiTarget, type SfnTarget } from './sfn-local/targets';
import {
  cloneDefinition,
  findState,
  imageProcessingDefinition,
  taskStateNames,
  topicArn,
  type AslDefinition,
} from '../support/asl-definition';
import type { RecordedOutcome } from '../../functions/lib/outcomes';
import { publishProblems } from './support/sns-publish';

/**
 * statemachine/test/MockConfigFile.json and expectations.json: checked for structure and coverage, run on the
 * Step Functions target `npm run test:sfn-local` uses, and shown to catch a broken ASL.
 */
describe('Step Functions Local test cases (statemachine/test)', function () {
  this.timeout(120_000);
  const { definition, name } = imageProcessingDefinition();
  const config: MockConfig = loadMockConfig(MOCK_CONFIG_PATH);
  const expectations: Expectations = loadExpectations();
  const testCases = config.StateMachines[expectations.stateMachineName]?.TestCases ?? {};

  describe('MockConfigFile.json', () => {
    it("names the template's state machine", () => {
      expect(Object.keys(config.StateMachines)).to.deep.equal([name]);
      expect(expectations.stateMachineName).to.equal(name);
    });

    it('has the test cases issues 6, 13 and 15 ask for', () => {
      expect(Object.keys(testCases)).to.include.members([
        'HappyPath',
        'UnsupportedType',
        'LabelsRefused',
        'ThumbnailFails',
        'TransientThenSuccess',
        'ExtractFails',
        'StoreFailsPermanently',
        'Superseded',
        // issue 15: the convert path, and ConvertFormats empty
        'ConvertedHeic',
        'ConvertFormatsEmpty',
        'AnimatedWebp',
        'ConvertFails',
        // issue 13: each recognition step failing alone, moderation flagged, a publish failing on every outcome
        'LabelsFail',
        'FacesFail',
        'FacesRefused',
        'ModerationFails',
        'ModerationFlagged',
        'NotifyThrottledThenSent',
        'NotifyFails',
        'NotifyFailsAfterFailure',
        'NotifyFailsAfterUnsupported',
      ]);
    });

    it('mocks every Task state in HappyPath, covers every state and every way to end, and matches the expectations', () => {
      expect(coverageProblems(config, definition, expectations)).to.deep.equal([]);
    });

    it('would notice a new Task state without a mock, and a terminal path no case reaches', () => {
      const grown = cloneDefinition(definition);
      grown.States.CompleteProcessing = {
        ...(grown.States.CompleteProcessing as AslDefinition['States'][string]),
        Next: 'NotifyOwner',
      };
      grown.States.NotifyOwner = {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'x' },
        End: true,
      };
      grown.States.Abandoned = { Type: 'Fail', Error: 'Abandoned' };
      const problems = coverageProblems(config, grown, expectations);
      expect(problems).to.include('HappyPath has no mock for Task state NotifyOwner');
      expect(problems).to.include('no test case ends in Abandoned');
      expect(problems).to.include('no test case enters NotifyOwner');
    });

    /** The Resource of each state a mocked response answers for, across the test cases that use it. */
    const resourcesOf = (responseName: string) =>
      new Set(
        Object.values(testCases).flatMap((mocks) =>
          Object.entries(mocks)
            .filter(([, response]) => response === responseName)
            .map(([state]) => String(findState(definition, state).Resource)),
        ),
      );

    it('answers like the lambda:invoke integration: StatusCode 200 with a Payload, or a Lambda function error', () => {
      // Handler errors, and the AWS errors a handler lets through unchanged (AccessDeniedException).
      const lambdaErrors = new Set<string>([
        ...PERMANENT_ERROR_NAMES,
        'TransientError',
        'ValidationException',
        'AccessDeniedException',
      ]);
      const lambdaResponses = Object.entries(config.MockedResponses).filter(([responseName]) =>
        resourcesOf(responseName).has('arn:aws:states:::lambda:invoke'),
      );
      expect(lambdaResponses.length).to.be.greaterThan(20);
      for (const [responseName, response] of lambdaResponses) {
        expect([...resourcesOf(responseName)], `${responseName} answers one integration`).to.have.lengthOf(1);
        for (const [index, invocation] of Object.entries(response)) {
          const at = `${responseName}.${index}`;
          if ('Return' in invocation) {
            expect(invocation.Return, at)
              .to.include({ StatusCode: 200, ExecutedVersion: '$LATEST' })
              .and.to.have.property('Payload');
            continue;
          }
          const { Error: error, Cause: cause } = invocation.Throw;
          if (error.startsWith('Lambda.')) continue; // a Lambda service error: plain text Cause
          expect(lambdaErrors.has(error), `${at}: ${error} is an error a handler throws`).to.equal(true);
          const runtime = JSON.parse(cause) as { errorType: string; errorMessage: string; trace: string[] };
          expect(runtime.errorType, at).to.equal(error);
          expect(runtime.errorMessage, at).to.be.a('string').and.not.equal('');
          expect(runtime.trace, at).to.be.an('array');
        }
      }
    });

    it('answers like the sns:publish integration: a MessageId, or an SNS.<Exception> error', () => {
      const snsResponses = Object.entries(config.MockedResponses).filter(([responseName]) =>
        resourcesOf(responseName).has('arn:aws:states:::sns:publish'),
      );
      expect(snsResponses.map(([responseName]) => responseName)).to.have.members([
        'NotifyResultPublished',
        'NotifyResultThrottledOnce',
        'NotifyResultDenied',
      ]);
      for (const [responseName, response] of snsResponses) {
        for (const [index, invocation] of Object.entries(response)) {
          const at = `${responseName}.${index}`;
          if ('Return' in invocation) {
            expect((invocation.Return as { MessageId?: unknown }).MessageId, at)
              .to.be.a('string')
              .and.not.equal('');
            continue;
          }
          expect(invocation.Throw.Error, at).to.match(/^SNS\.[A-Za-z]+Exception$/);
          expect(invocation.Throw.Cause, at).to.include('Service: AmazonSNS');
        }
      }
    });

    it('makes the record steps answer the outcome with a notification SNS would accept', () => {
      const recordSteps = ['CompleteProcessing', 'RecordUnsupported', 'RecordFailure'];
      const answers = Object.values(testCases)
        .flatMap((mocks) => recordSteps.map((state) => mocks[state]))
        .filter((responseName): responseName is string => responseName !== undefined)
        .flatMap((responseName) => Object.values(config.MockedResponses[responseName] ?? {}))
        .flatMap((invocation) => ('Return' in invocation ? [invocation.Return as { Payload: RecordedOutcome }] : []));
      expect(answers.length).to.be.greaterThan(10);
      for (const { Payload: outcome } of answers) {
        expect(outcome.status).to.be.oneOf(['SUCCEEDED', 'UNSUPPORTED', 'FAILED']);
        const message = {
          TopicArn: topicArn('NotificationTopic'),
          Subject: outcome.notification.subject,
          Message: outcome.notification.message,
          MessageAttributes: outcome.notification.attributes,
        };
        expect(publishProblems(message), outcome.notification.subject).to.deep.equal([]);
        expect(outcome.notification.attributes.status?.StringValue).to.equal(outcome.status);
      }
    });

    it("exhausts the ASL's retries in TransientExhausted, and retries only errors the ASL retries", () => {
      const retrier = findState(definition, 'CompleteProcessing').Retry?.[0];
      expect(expectations.testCases.TransientExhausted?.retries).to.deep.equal({
        CompleteProcessing: retrier?.MaxAttempts,
      });
      const mocked = config.MockedResponses[testCases.TransientExhausted?.CompleteProcessing ?? ''] ?? {};
      expect(Object.keys(mocked), 'one throw per attempt, no answer after the last').to.deep.equal([
        `0-${retrier?.MaxAttempts}`,
      ]);
    });

    it('runs on the same input as the sam local invoke fixture of the first step', () => {
      const fixture = JSON.parse(
        readFileSync(path.join(PROJECT_ROOT, 'events/extract-image-metadata.json'), 'utf8'),
      ) as { upload: unknown };
      expect(expectations.input).to.deep.equal({ upload: fixture.upload });
    });
  });

  describe('the suite (npm run test:sfn-local)', () => {
    let target: SfnTarget;
    let result: SuiteResult;
    before(async () => {
      target = await resolveTarget(process.env, { fastRetries: true });
      result = await runSuite({ target, definition, expectations });
    });
    after(async () => target?.close());

    it('passes every test case on the default target', () => {
      const failures = result.cases.filter((c) => !c.passed).map((c) => `${c.testCase}: ${c.problems.join('; ')}`);
      expect(failures, result.target).to.deep.equal([]);
      expect(result.passed).to.equal(Object.keys(expectations.testCases).length);
    });

    it('agrees with the in-process runner (SFN_SUITE_TARGET=in-process) on every case', async () => {
      const inProcess = await runSuite({ target: inProcessTarget({ mockConfig: config }), definition, expectations });
      expect(inProcess.failed).to.equal(0);
      const outcome = (r: SuiteResult) =>
        Object.fromEntries(
          r.cases.map((c) => [
            c.testCase,
            {
              status: c.observed?.status,
              error: c.observed?.error,
              cause: c.observed?.cause,
              retries: c.observed?.retries,
            },
          ]),
        );
      expect(outcome(inProcess)).to.deep.equal(outcome(result));
    });

    it('sees the retries in the history, as many as the mocks and the ASL make', () => {
      const transient = result.cases.find((c) => c.testCase === 'TransientThenSuccess');
      expect(transient?.observed?.retries).to.deep.equal({ StoreImageMetadata: 1, DetectLabels: 2 });
      const exhausted = result.cases.find((c) => c.testCase === 'TransientExhausted');
      expect(exhausted?.observed?.retries).to.deep.equal({ CompleteProcessing: 8 });
      const burst = result.cases.find((c) => c.testCase === 'ThrottledBurst');
      expect(burst?.observed, 'throttling on DynamoDB, Rekognition and Lambda is outlasted').to.deep.include({
        status: 'SUCCEEDED',
        retries: { StoreImageMetadata: 3, DetectLabels: 5, DetectFaces: 4, CompleteProcessing: 2 },
      });
      const deleted = result.cases.find((c) => c.testCase === 'UploadDeleted');
      expect(deleted?.observed, 'a deleted upload ends as UploadNotFound').to.deep.include({
        status: 'FAILED',
        error: 'UploadNotFound',
      });
      const notify = result.cases.find((c) => c.testCase === 'NotifyFails');
      expect(notify?.observed, 'a publish that fails is retried, then caught').to.deep.include({
        status: 'SUCCEEDED',
        retries: { NotifyResult: 1 },
      });
    });
  });

  describe('the Step Functions API target (what SFN_LOCAL_ENDPOINT and the local stack use)', () => {
    let sfn: AwsClientStub<SFNClient>;
    const calls: string[] = [];
    before(() => {
      sfn = mockClient(SFNClient);
    });
    after(() => sfn.restore());

    /** A Step Functions API answered by the in-process runner: what a Step Functions Local would answer. */
    function fakeStepFunctions() {
      const backend = inProcessTarget({ mockConfig: config });
      const definitions = new Map<string, string>();
      const arns = new Map<string, string>();
      let polls = 0;
      calls.length = 0;
      sfn.reset();
      sfn.on(ListStateMachinesCommand).callsFake(() => {
        calls.push('ListStateMachines');
        return {
          stateMachines: [...arns].map(([machineName, stateMachineArn]) => ({
            name: machineName,
            stateMachineArn,
            type: 'STANDARD',
            creationDate: new Date(),
          })),
        };
      });
      sfn.on(CreateStateMachineCommand).callsFake(async (input: { name: string; definition: string }) => {
        calls.push('CreateStateMachine');
        if (definitions.has(input.name) && definitions.get(input.name) !== input.definition) {
          throw new StateMachineAlreadyExists({
            message: `State Machine Already Exists: ${input.name}`,
            $metadata: {},
          });
        }
        definitions.set(input.name, input.definition);
        const arn = await backend.deployStateMachine(input.name, JSON.parse(input.definition) as AslDefinition);
        arns.set(input.name, arn);
        return { stateMachineArn: arn, creationDate: new Date() };
      });
      sfn.on(UpdateStateMachineCommand).callsFake(async (input: { stateMachineArn: string; definition: string }) => {
        calls.push('UpdateStateMachine');
        const machineName = [...arns].find(([, arn]) => arn === input.stateMachineArn)?.[0] as string;
        definitions.set(machineName, input.definition);
        await backend.deployStateMachine(machineName, JSON.parse(input.definition) as AslDefinition);
        return { updateDate: new Date() };
      });
      sfn.on(StartExecutionCommand).callsFake(async (input: { stateMachineArn: string; input: string }) => {
        calls.push(`StartExecution ${input.stateMachineArn.split(':').at(-1)}`);
        const { stateMachineArn, testCase } = splitTestCaseArn(input.stateMachineArn);
        return {
          executionArn: await backend.startTestCase(stateMachineArn, testCase ?? '', JSON.parse(input.input)),
          startDate: new Date(),
        };
      });
      sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => {
        polls += 1;
        if (polls % 2 === 1) return { status: 'RUNNING' };
        return { status: outcomeOf(await backend.history(input.executionArn)).status };
      });
      sfn.on(GetExecutionHistoryCommand).callsFake(async (input: { executionArn: string; nextToken?: string }) => {
        const events = await backend.history(input.executionArn);
        const from = Number(input.nextToken ?? 0);
        const to = from + 7; // small pages, so the target must follow nextToken
        return { events: events.slice(from, to), ...(to < events.length ? { nextToken: String(to) } : {}) };
      });
    }

    it('creates the machine, starts each case on <arn>#<TestCase>, polls, pages through the history and passes', async () => {
      fakeStepFunctions();
      const target = sfnApiTarget({ endpoint: 'http://127.0.0.1:1' });
      expect(await target.answers()).to.equal(true);
      const result = await runSuite({ target, definition, expectations });
      expect(result.cases.filter((c) => !c.passed).map((c) => `${c.testCase}: ${c.problems.join('; ')}`)).to.deep.equal(
        [],
      );
      expect(calls).to.include('CreateStateMachine').and.include('StartExecution ImageProcessing#HappyPath');
    });

    it('replaces the definition of an existing machine with another one, so a mutated copy really runs', async () => {
      fakeStepFunctions();
      const target = sfnApiTarget({ endpoint: 'http://127.0.0.1:1' });
      await runSuite({ target, definition, expectations, only: ['Superseded'] });
      const mutated = cloneDefinition(definition);
      const superseded = (mutated.States.StoreImageMetadata as AslDefinition['States'][string]).Catch?.[0];
      if (superseded) superseded.Next = 'Processed';
      const result = await runSuite({ target, definition: mutated, expectations, only: ['Superseded'] });
      expect(calls).to.include('UpdateStateMachine');
      expect(result.failed).to.equal(1);
    });

    it('reports an endpoint that does not answer', async () => {
      sfn.reset();
      sfn
        .on(ListStateMachinesCommand)
        .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      expect(await sfnApiTarget({ endpoint: 'http://127.0.0.1:1' }).answers()).to.equal(false);
    });
  });

  describe('on a broken ASL', () => {
    async function suiteOn(mutated: AslDefinition): Promise<SuiteResult> {
      const target = await resolveTarget(process.env, { fastRetries: true });
      try {
        return await runSuite({ target, definition: mutated, expectations });
      } finally {
        await target.close();
      }
    }

    it('fails when a Catch is removed (StoreImageMetadata no longer routes to RecordFailure)', async () => {
      const mutated = cloneDefinition(definition);
      const store = mutated.States.StoreImageMetadata as AslDefinition['States'][string];
      store.Catch = (store.Catch ?? []).filter((catcher) => !catcher.ErrorEquals.includes('States.ALL'));
      const result = await suiteOn(mutated);
      expect(result.failed).to.be.greaterThan(0);
      const broken = result.cases.find((c) => c.testCase === 'StoreFailsPermanently');
      expect(broken?.passed).to.equal(false);
      expect(broken?.problems.join('\n')).to.contain('error ValidationException, expected ImageProcessingFailed');
    });

    it('fails when a Next is wrong (superseded uploads end in Processed), although the execution still succeeds', async () => {
      const mutated = cloneDefinition(definition);
      const store = mutated.States.StoreImageMetadata as AslDefinition['States'][string];
      const superseded = store.Catch?.find((catcher) => catcher.ErrorEquals.includes('UploadSuperseded'));
      if (!superseded) throw new Error('StoreImageMetadata has no UploadSuperseded catcher');
      superseded.Next = 'Processed';
      const result = await suiteOn(mutated);
      const broken = result.cases.find((c) => c.testCase === 'Superseded');
      expect(broken?.observed?.status).to.equal('SUCCEEDED');
      expect(broken?.passed).to.equal(false);
      expect(broken?.problems).to.deep.equal([
        'states entered: [ExtractImageMetadata, ImageTypeCheck, StoreImageMetadata, Processed], expected [ExtractImageMetadata, ImageTypeCheck, StoreImageMetadata, UploadSuperseded]',
      ]);
      expect(result.cases.filter((c) => !c.passed).map((c) => c.testCase)).to.deep.equal(['Superseded']);
    });

    it('fails when a Retry is dropped or widened to a permanent error', async () => {
      const noRetry = cloneDefinition(definition);
      delete (noRetry.States.StoreImageMetadata as AslDefinition['States'][string]).Retry;
      const dropped = await suiteOn(noRetry);
      expect(dropped.cases.find((c) => c.testCase === 'TransientThenSuccess')?.passed).to.equal(false);

      const widened = cloneDefinition(definition);
      const extract = widened.States.ExtractImageMetadata as AslDefinition['States'][string];
      extract.Retry = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }];
      const retriedPermanent = await suiteOn(widened);
      const extractFails = retriedPermanent.cases.find((c) => c.testCase === 'ExtractFails');
      expect(extractFails?.passed).to.equal(false);
      expect(extractFails?.problems.join('\n')).to.match(/ExtractImageMetadata retried [1-9] time\(s\), expected 0/);
    });
  });

  describe('the in-process runner', () => {
    async function runOn(mockConfig: MockConfig, testCase: string) {
      const target = inProcessTarget({ mockConfig });
      const arn = await target.deployStateMachine(name, definition);
      return target.history(await target.startTestCase(arn, testCase, expectations.input));
    }

    it('ends an execution whose Task has no mock with States.Runtime, which no Catch handles', async () => {
      const partial = structuredClone(config);
      (partial.StateMachines[name] as { TestCases: Record<string, Record<string, string>> }).TestCases.Partial = {
        ExtractImageMetadata: 'ExtractImageMetadataJpeg',
      };
      const history = await runOn(partial, 'Partial');
      expect(outcomeOf(history)).to.include({ status: 'FAILED', error: 'States.Runtime' });
      expect(statesEntered(history)).to.deep.equal(['ExtractImageMetadata', 'ImageTypeCheck', 'StoreImageMetadata']);
    });

    it('fails the execution when a retry asks for an invocation the mock does not define, as AWS documents', async () => {
      const short = structuredClone(config);
      short.MockedResponses.OneThrottle = { '0': { Throw: { Error: 'TransientError', Cause: '{}' } } };
      (short.StateMachines[name] as { TestCases: Record<string, Record<string, string>> }).TestCases.Short = {
        ExtractImageMetadata: 'ExtractImageMetadataJpeg',
        StoreImageMetadata: 'OneThrottle',
      };
      const history = await runOn(short, 'Short');
      expect(outcomeOf(history).error).to.equal('States.Runtime');
      expect(outcomeOf(history).cause).to.match(/defines no answer for invocation 1 of state "StoreImageMetadata"/);
      expect(statesEntered(history)).to.not.include('RecordFailure');
    });
  });

  it('lists the Task states it must mock', () => {
    expect(taskStateNames(definition)).to.have.members([
      'ExtractImageMetadata',
      'RecordUnsupported',
      'StoreImageMetadata',
      'ConvertImage',
      'DetectLabels',
      'GenerateThumbnail',
      'DetectFaces',
      'DetectModerationLabels',
      'CompleteProcessing',
      'RecordFailure',
      'NotifyResult',
    ]);
  });
});
