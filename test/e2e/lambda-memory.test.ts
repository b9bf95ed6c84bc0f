import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../local/template';
import { startTestStack, tempDir, type TestStack } from '../support/test-stack';
import { sigv4Headers } from './support/signed';

/**
 * MemorySize is held on the sandbox's resident memory, as on Lambda: a copy of template.yaml with a 128 MB function
 * that holds memory outside V8's heap (which a heap limit alone never sees), and a state machine that retries and
 * catches what it fails with.
 */
const HUNGRY = `
  HungryFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - test/e2e/fixtures/hungry-handler.ts
    Properties:
      Handler: hungry-handler.handler
      MemorySize: 128
      Timeout: 20
  HungryMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        HungryFunctionArn: !GetAtt HungryFunction.Arn
      Definition:
        StartAt: Eat
        States:
          Eat:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: \${HungryFunctionArn}
              Payload.$: $
            Retry:
              - ErrorEquals: [Runtime.OutOfMemory]
                MaxAttempts: 1
            Catch:
              - ErrorEquals: [States.ALL]
                ResultPath: $.failure
                Next: Starved
            End: true
          Starved:
            Type: Pass
            End: true

Outputs:`;

describe('local Lambda holds MemorySize on resident memory', function () {
  this.timeout(120_000);
  let t: TestStack;
  let dir: string;

  before(async () => {
    dir = tempDir('e2e-memory-');
    const text = readFileSync(TEMPLATE_PATH, 'utf8');
    if (!text.includes('\nOutputs:')) throw new Error('template.yaml has no Outputs section; update this test');
    writeFileSync(path.join(dir, 'template.yaml'), text.replace('\nOutputs:', HUNGRY));
    t = await startTestStack({ templatePath: path.join(dir, 'template.yaml'), codeRoot: PROJECT_ROOT });
  });
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const invoke = async (payload: unknown) => {
    const answer = await fetch(`${t.stack.endpoint}/2015-03-31/functions/HungryFunction/invocations`, {
      method: 'POST',
      headers: sigv4Headers('lambda'),
      body: JSON.stringify(payload),
    });
    return { functionError: answer.headers.get('x-amz-function-error'), body: (await answer.json()) as any };
  };

  it('answers while the function stays within its MemorySize', async () => {
    const { functionError, body } = await invoke({ mb: 16 });
    expect(functionError).to.equal(null);
    expect(body.last).to.equal(1);
  });

  it('kills a sandbox holding more than MemorySize in Buffers with Runtime.OutOfMemory, and starts a fresh one', async () => {
    const before = (await invoke({ mb: 1 })).body.pid;
    const { functionError, body } = await invoke({ mb: 200, holdMs: 5_000 });
    expect(functionError).to.equal('Unhandled');
    expect(body.errorType).to.equal('Runtime.OutOfMemory');
    expect(body.errorMessage).to.match(/Runtime exited with error: signal: killed/);
    const after = await invoke({ mb: 1 });
    expect(after.functionError).to.equal(null);
    expect(after.body.pid).to.be.a('number').and.not.equal(before);
  });

  it('fails an invocation that passed MemorySize in WebAssembly memory even if it answered at once', async () => {
    const { functionError, body } = await invoke({ mb: 200, kind: 'wasm' });
    expect(functionError).to.equal('Unhandled');
    expect(body.errorType).to.equal('Runtime.OutOfMemory');
  });

  it('gives Step Functions a Lambda error that its Retry and Catch match', async () => {
    const machine = t.stack.model.stateMachines.find((candidate) => candidate.logicalId === 'HungryMachine')!;
    const { executionArn } = await t.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.arn, input: JSON.stringify({ mb: 200, holdMs: 5_000 }) }),
    );
    await t.stack.idle();
    const execution = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution.status).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output!).failure.Error).to.equal('Runtime.OutOfMemory');
    const failures = (await t.history(executionArn!)).filter((event) => event.type === 'TaskFailed');
    // The first attempt and the one retry.
    expect(failures.map((event) => event.taskFailedEventDetails?.error)).to.deep.equal([
      'Runtime.OutOfMemory',
      'Runtime.OutOfMemory',
    ]);
  });
});
