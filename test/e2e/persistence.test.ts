import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DataFolderInUse, startLocalStack } from '../../local/stack';
import { silentLog } from '../../local/log';
import { IMAGES, rejection, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/** Data lives in one folder per stack: it survives a restart, and two stacks on two folders share nothing. */
describe('local stack data folders', function () {
  this.timeout(120_000);
  const dirA = tempDir('e2e-data-a-');
  const dirB = tempDir('e2e-data-b-');
  const key = 'private/persist/uploads/coffee.png';
  let a: TestStack | undefined;
  let b: TestStack | undefined;

  after(async () => {
    await a?.stop();
    await b?.stop();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  it('keeps two stacks on different ports and folders apart, and refuses a second stack on a folder in use', async () => {
    [a, b] = await Promise.all([startTestStack({ dataDir: dirA }), startTestStack({ dataDir: dirB })]);
    expect(a.stack.port).not.to.equal(b.stack.port);
    await a.s3.send(
      new PutObjectCommand({ Bucket: a.bucket, Key: key, Body: readFileSync(path.join(IMAGES, 'skimage_coffee.png')) }),
    );
    await a.stack.idle();
    expect(await a.item(key)).to.include({ status: 'SUCCEEDED' });
    expect(await b.item(key)).to.equal(undefined);
    expect((await rejection(b.s3.send(new HeadObjectCommand({ Bucket: b.bucket, Key: key })))).name).to.equal(
      'NotFound',
    );
    const clash = await rejection(startLocalStack({ port: 0, dataDir: dirA, log: silentLog() }));
    expect(clash).to.be.instanceOf(DataFolderInUse);
    expect(clash.message).to.include(dirA);
  });

  it('keeps objects, items, executions with their history and created state machines across a restart', async () => {
    if (!a) throw new Error('needs the previous test');
    const before = (await a.item(key)) as Record<string, any>;
    const history = await a.history(before.executionArn);
    const waiting = await a.sfn.send(
      new CreateStateMachineCommand({
        name: 'Waiting',
        roleArn: 'arn:aws:iam::000000000000:role/Any',
        definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, End: true } } }),
      }),
    );
    const running = await a.sfn.send(
      new StartExecutionCommand({ stateMachineArn: waiting.stateMachineArn, name: 'cut-short' }),
    );
    await a.stop({ keepData: true });

    a = await startTestStack({ dataDir: dirA });
    const after = (await a.item(key)) as Record<string, any>;
    expect(after).to.deep.equal(before);
    const object = await a.s3.send(new GetObjectCommand({ Bucket: a.bucket, Key: key }));
    expect(
      Buffer.from(await object.Body!.transformToByteArray()).equals(
        readFileSync(path.join(IMAGES, 'skimage_coffee.png')),
      ),
    ).to.equal(true);
    expect(await a.sfn.send(new DescribeExecutionCommand({ executionArn: before.executionArn }))).to.include({
      status: 'SUCCEEDED',
    });
    expect((await a.history(before.executionArn)).map((event) => event.type)).to.deep.equal(
      history.map((event) => event.type),
    );
    const machines = await a.sfn.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((machine) => machine.name)).to.include.members(['ImageProcessing', 'Waiting']);
    expect(await a.sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }))).to.include({
      status: 'ABORTED',
      error: 'LocalStack.Stopped',
    });
  });
});
