import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  loadMockConfig,
  MissingMockedResponse,
  MockConfigError,
  mockedTaskResult,
  parseMockConfig,
  splitTestCaseArn,
  type MockConfig,
} from '../../local/stepfunctions/mock-config';

/** The example of AWS's "Configuration file for mocked service integrations" page, verbatim in structure. */
const AWS_EXAMPLE = {
  StateMachines: {
    LambdaSQSIntegration: {
      TestCases: {
        HappyPath: { LambdaState: 'MockedLambdaSuccess', SQSState: 'MockedSQSSuccess' },
        RetryPath: { LambdaState: 'MockedLambdaRetry', SQSState: 'MockedSQSSuccess' },
        HybridPath: { LambdaState: 'MockedLambdaSuccess' },
      },
    },
  },
  MockedResponses: {
    MockedLambdaSuccess: {
      '0': { Return: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } },
    },
    LambdaMockedResourceNotReady: {
      '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } },
    },
    MockedSQSSuccess: {
      '0': {
        Return: {
          MD5OfMessageBody: '3bcb6e8e-7h85-4375-b0bc-1a59812c6e51',
          MessageId: '3bcb6e8e-8b51-4375-b0bc-1a59812c6e51',
        },
      },
    },
    MockedLambdaRetry: {
      '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } },
      '1-2': { Throw: { Error: 'Lambda.TimeoutException', Cause: 'Lambda timed out.' } },
      '3': { Return: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } },
    },
  },
};

function problemsOfFile(file: string): string {
  try {
    loadMockConfig(file);
    return '';
  } catch (error) {
    expect(error).to.be.instanceOf(MockConfigError);
    return (error as Error).message;
  }
}

function problemsOf(value: unknown): string {
  try {
    parseMockConfig(value);
    return '';
  } catch (error) {
    expect(error).to.be.instanceOf(MockConfigError);
    return (error as Error).message;
  }
}

describe('MockConfigFile reader (local/stepfunctions/mock-config)', () => {
  const config = parseMockConfig(structuredClone(AWS_EXAMPLE)) as MockConfig;

  describe('structure', () => {
    it("accepts AWS's documented example", () => {
      expect(problemsOf(AWS_EXAMPLE)).to.equal('');
    });

    it('requires StateMachines and MockedResponses objects and names unknown top-level fields', () => {
      expect(problemsOf([])).to.match(/top level must be a JSON object/);
      expect(problemsOf({ StateMachines: {} })).to.match(/MockedResponses must be an object/);
      expect(problemsOf({ MockedResponses: {} })).to.match(/StateMachines must be an object/);
      expect(problemsOf({ StateMachines: {}, MockedResponses: {}, MockedResponse: {} })).to.match(
        /unknown top-level field "MockedResponse"/,
      );
    });

    it('requires TestCases under each state machine and mocked response names that exist', () => {
      expect(problemsOf({ StateMachines: { M: { Cases: {} } }, MockedResponses: {} }))
        .to.match(/M: unknown field "Cases"/)
        .and.match(/M\.TestCases must be an object/);
      expect(problemsOf({ StateMachines: { M: { TestCases: { A: { S: 'Nope' } } } }, MockedResponses: {} })).to.contain(
        'StateMachines.M.TestCases.A.S names "Nope", which MockedResponses does not define',
      );
      expect(problemsOf({ StateMachines: { M: { TestCases: { A: { S: 1 } } } }, MockedResponses: {} })).to.contain(
        'must be the name of a mocked response',
      );
    });

    it('requires invocation numbers or inclusive ranges, from 0, without gaps or overlaps', () => {
      const withResponse = (response: unknown) => ({ StateMachines: {}, MockedResponses: { R: response } });
      const ok = { Return: {} };
      expect(problemsOf(withResponse({ first: ok }))).to.contain('"first" is not an invocation number');
      expect(problemsOf(withResponse({ '2-1': ok }))).to.contain('"2-1" is not an invocation number');
      expect(problemsOf(withResponse({ '1': ok }))).to.contain('no response for invocation 0');
      expect(problemsOf(withResponse({ '0': ok, '3-4': ok }))).to.contain('no response for invocation 1-2');
      expect(problemsOf(withResponse({ '0-2': ok, '2': ok }))).to.contain('"2" overlaps');
      expect(problemsOf(withResponse({}))).to.contain('must be an object of invocation numbers');
    });

    it('requires exactly one of Return or Throw, and Throw with string Error and Cause', () => {
      const withInvocation = (invocation: unknown) => ({
        StateMachines: {},
        MockedResponses: { R: { '0': invocation } },
      });
      expect(problemsOf(withInvocation({}))).to.contain('exactly one field, Return or Throw (has none)');
      expect(problemsOf(withInvocation({ Return: 1, Throw: {} }))).to.contain('(has Return, Throw)');
      expect(problemsOf(withInvocation({ Throw: 'x' }))).to.contain('Throw must be an object with Error and Cause');
      expect(problemsOf(withInvocation({ Throw: { Error: '', Cause: 1 } })))
        .to.contain('Throw.Error must be a non-empty string')
        .and.contain('Throw.Cause must be a string');
      expect(problemsOf(withInvocation({ Throw: { Error: 'E', Cause: 'c', Extra: 1 } }))).to.contain(
        'unknown field "Extra"',
      );
      expect(problemsOf(withInvocation({ Return: null }))).to.equal('');
    });

    it('lists every problem at once, prefixed with the file it read', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mock-config-'));
      try {
        const file = path.join(dir, 'MockConfigFile.json');
        writeFileSync(
          file,
          JSON.stringify({
            StateMachines: { M: { TestCases: { A: { S: 'X' } } } },
            MockedResponses: { R: { '1': {} } },
          }),
        );
        const message = problemsOfFile(file);
        expect(message).to.match(
          new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid mock configuration:\n`),
        );
        expect(message)
          .to.contain('names "X"')
          .and.contain('no response for invocation 0')
          .and.contain('exactly one field');
        writeFileSync(file, '{ "StateMachines": ');
        expect(() => loadMockConfig(file)).to.throw(MockConfigError, /is not JSON/);
        expect(() => loadMockConfig(path.join(dir, 'missing.json'))).to.throw(
          MockConfigError,
          /Cannot read the MockConfigFile/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('mockedTaskResult', () => {
    it('answers Return and Throw by invocation number, ranges inclusive', () => {
      const at = (index: number) => mockedTaskResult(config, 'LambdaSQSIntegration', 'RetryPath', 'LambdaState', index);
      expect(at(0)).to.deep.equal({
        kind: 'throw',
        error: 'Lambda.ResourceNotReadyException',
        cause: 'Lambda resource is not ready.',
      });
      expect(at(1)).to.deep.equal({ kind: 'throw', error: 'Lambda.TimeoutException', cause: 'Lambda timed out.' });
      expect(at(2)).to.deep.equal(at(1));
      expect(at(3)).to.deep.equal({
        kind: 'return',
        value: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } },
      });
    });

    it('fails past the last invocation defined, as AWS documents ("you must specify a mocked response for every invocation")', () => {
      expect(() => mockedTaskResult(config, 'LambdaSQSIntegration', 'RetryPath', 'LambdaState', 4))
        .to.throw(MissingMockedResponse, /defines no answer for invocation 4 of state "LambdaState"/)
        .with.property('isCatchable', false);
      const error = new MissingMockedResponse('T', 'S', 'R', 1);
      expect(error.name).to.equal('States.Runtime');
      expect(error.isRetryable).to.equal(false);
    });

    it('answers undefined for a state the test case does not mock, so the real service is called', () => {
      expect(mockedTaskResult(config, 'LambdaSQSIntegration', 'HybridPath', 'SQSState', 0)).to.equal(undefined);
    });

    it('refuses an unknown state machine or test case with the names it knows', () => {
      expect(() => mockedTaskResult(config, 'Other', 'HappyPath', 'S', 0)).to.throw(
        MockConfigError,
        /no state machine "Other" \(it has: LambdaSQSIntegration\)/,
      );
      expect(() => mockedTaskResult(config, 'LambdaSQSIntegration', 'Sad', 'S', 0)).to.throw(
        MockConfigError,
        /no test case "Sad" \(it has: HappyPath, RetryPath, HybridPath\)/,
      );
    });

    it('gives each caller its own copy of a Return value', () => {
      const first = mockedTaskResult(config, 'LambdaSQSIntegration', 'HappyPath', 'LambdaState', 0);
      (first as { value: { Payload: { body: string } } }).value.Payload.body = 'changed';
      const second = mockedTaskResult(config, 'LambdaSQSIntegration', 'HappyPath', 'LambdaState', 0);
      expect((second as { value: { Payload: { body: string } } }).value.Payload.body).to.equal('Hello from Lambda!');
    });
  });

  it('splits `<stateMachineArn>#<TestCase>` as Step Functions Local does', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImageProcessing';
    expect(splitTestCaseArn(`${arn}#HappyPath`)).to.deep.equal({ stateMachineArn: arn, testCase: 'HappyPath' });
    expect(splitTestCaseArn(arn)).to.deep.equal({ stateMachineArn: arn });
  });
});
