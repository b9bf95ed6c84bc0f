import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PROJECT_ROOT } from '../../local/template';
import { redrive } from '../../scripts/redrive';
import { USER_ID } from '../support/fixtures';
import { IMAGES, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * npm run redrive against the local stack: an upload event S3Trigger keeps failing on (its state machine is gone)
 * lands, after Lambda's asynchronous retries, in S3TriggerDeadLetterQueue (from template.yaml, kept in the data
 * folder); once the stack is fixed (restarted: the template's machine is back), redrive re-sends it, the photo is
 * processed and the queue is empty.
 */
describe('npm run redrive (local stack)', function () {
  this.timeout(180_000);
  const key = `private/${USER_ID}/uploads/redriven/nikon-p6000_landscape_gps.jpg`;

  async function queueCount(t: TestStack, sqs: SQSClient): Promise<number> {
    const queueUrl = t.stack.model.outputs.S3TriggerDeadLetterQueueUrl?.value;
    const answer = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(answer.Attributes?.ApproximateNumberOfMessages);
  }

  function sqsFor(t: TestStack): SQSClient {
    return new SQSClient({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  }

  it('an event S3Trigger failed on is dead-lettered, survives a restart, and redrive processes it once', async () => {
    const dataDir = tempDir('redrive-');
    try {
      const broken = await startTestStack({ dataDir });
      const sqs = sqsFor(broken);
      try {
        await broken.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: broken.stateMachineArn }));
        const body = readFileSync(path.join(IMAGES, 'nikon-p6000_landscape_gps.jpg'));
        await broken.s3.send(new PutObjectCommand({ Bucket: broken.bucket, Key: key, Body: body }));
        await broken.stack.idle();
        expect(await queueCount(broken, sqs)).to.equal(1);
        // The message is the original event, as Lambda's DeadLetterQueue keeps it.
        const queueUrl = broken.stack.model.outputs.S3TriggerDeadLetterQueueUrl?.value;
        const peek = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
        const event = JSON.parse(peek.Messages?.[0]?.Body ?? '{}');
        expect(event).to.deep.include({ source: 'aws.s3', 'detail-type': 'Object Created' });
        expect(decodeURIComponent(event.detail.object.key)).to.equal(key);
        expect((await broken.item(key))?.status).to.equal('PROCESSING');
      } finally {
        sqs.destroy();
        await broken.stop({ keepData: true });
      }

      const fixed = await startTestStack({ dataDir });
      const again = sqsFor(fixed);
      try {
        expect(await queueCount(fixed, again), 'kept across the restart').to.equal(1);
        const report = await redrive({ endpoint: fixed.stack.endpoint });
        expect(report).to.deep.include({ received: 1, redriven: 1, kept: 0, remaining: 0, functionName: 'S3Trigger' });
        await fixed.stack.idle();
        expect((await fixed.item(key))?.status).to.equal('SUCCEEDED');
        expect(await queueCount(fixed, again)).to.equal(0);
        // Run again: nothing left, it stops by itself.
        expect(await redrive({ endpoint: fixed.stack.endpoint })).to.deep.include({ received: 0, redriven: 0 });
      } finally {
        again.destroy();
        await fixed.stop({ keepData: true });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the command line: --local --endpoint URL --json reports the counts; --stack and --local together are refused', async () => {
    const t = await startTestStack();
    try {
      const run = promisify(execFile);
      const tsx = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');
      const script = path.join(PROJECT_ROOT, 'scripts/redrive.ts');
      const { stdout } = await run(tsx, [script, '--local', '--endpoint', t.stack.endpoint, '--json']);
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).to.deep.include({ received: 0, remaining: 0 });
      const refused = await run(tsx, [script, '--local', '--stack', 'x']).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(refused?.code).to.equal(2);
      expect(refused?.stderr).to.include('Give either --stack NAME or --local');
    } finally {
      await t.stop();
    }
  });
});
