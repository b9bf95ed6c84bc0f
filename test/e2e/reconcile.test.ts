import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { USER_ID } from '../support/fixtures';
import { clientsFor, IMAGES, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * Issue 14, point 1: every execution ends with its item saying why. The local Step Functions puts "Step Functions
 * Execution Status Change" events on the local bus, whose rule (template.yaml's ExecutionStatusChanged) invokes
 * ReconcileExecution: an execution stopped, or cut off by a crash of the stack, leaves no item PROCESSING.
 */
const PHOTOS = ['nikon-p6000_landscape_gps.jpg', 'canon-sx60_chandelier_orient6.jpg', 'nikon-e950_field-gun.jpg'];
const ALBUM = 'reconciled';
const keyOf = (file: string) => `private/${USER_ID}/uploads/${ALBUM}/${file}`;

async function upload(s3: TestStack['s3'], bucket: string, file: string): Promise<void> {
  const body = readFileSync(path.join(IMAGES, file));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(file), Body: body, ContentType: 'image/jpeg' }));
}

async function items(documents: DynamoDBDocumentClient, table: string): Promise<Record<string, any>[]> {
  return ((await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []) as Record<
    string,
    any
  >[];
}

/** Waits until every photo has its item PROCESSING with an execution, i.e. every execution has started. */
async function untilAllProcessing(documents: DynamoDBDocumentClient, table: string): Promise<void> {
  for (let round = 0; round < 600; round += 1) {
    const found = await items(documents, table);
    if (found.filter((item) => item.executionArn).length === PHOTOS.length) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the uploads never all reached PROCESSING');
}

async function executions(sfn: SFNClient, stateMachineArn: string) {
  return (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
}

async function albumCount(documents: DynamoDBDocumentClient, table: string): Promise<unknown> {
  const album = await documents.send(new GetCommand({ TableName: table, Key: { userId: USER_ID, albumId: ALBUM } }));
  return album.Item?.photoCount;
}

describe('reconciliation: every execution ends with its item saying why (local stack)', function () {
  this.timeout(180_000);

  it('StopExecution: the stopped execution’s item ends FAILED with ExecutionAborted and the stop’s cause', async () => {
    // One sandbox per function: the executions queue behind each other, so some are still running when stopped.
    const t = await startTestStack({ maxConcurrency: 1 });
    try {
      for (const file of PHOTOS) await upload(t.s3, t.bucket, file);
      await untilAllProcessing(t.documents, t.table);
      const running = (await executions(t.sfn, t.stateMachineArn)).filter((e) => e.status === 'RUNNING');
      for (const { executionArn } of running) {
        await t.sfn
          .send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by the test' }))
          .catch(() => undefined);
      }
      await t.stack.idle();
      const ended = await executions(t.sfn, t.stateMachineArn);
      const aborted = new Set(ended.filter((e) => e.status === 'ABORTED').map((e) => e.executionArn));
      expect(aborted.size, 'executions stopped while running').to.be.greaterThan(0);
      const all = await items(t.documents, t.table);
      expect(all.map((item) => item.status)).to.not.include('PROCESSING');
      for (const item of all.filter((i) => aborted.has(i.executionArn))) {
        expect(item.status, item.key).to.equal('FAILED');
        expect(item.error).to.deep.equal({
          name: 'ExecutionAborted',
          message: 'The execution was aborted before recording the outcome (Operator: stopped by the test)',
        });
      }
      // The album counts each photo once: marking an item FAILED never changes the count.
      expect(await albumCount(t.documents, t.stack.model.outputs.AlbumMetadataTableName?.value ?? '')).to.equal(
        PHOTOS.length,
      );
    } finally {
      await t.stop();
    }
  });

  for (const [how, signal] of [
    ['a crash (SIGKILL)', 'SIGKILL'],
    ['a stop (SIGTERM)', 'SIGTERM'],
  ] as const) {
    it(`${how} mid-run: after a restart on the same data folder no item is PROCESSING, each cut-off one FAILED`, async () => {
      const dataDir = tempDir('reconcile-restart-');
      try {
        const first = await startChild(dataDir);
        const clients = clientsFor(first.endpoint);
        const outputs = await outputsOf(first.endpoint);
        for (const file of PHOTOS) await upload(clients.s3, outputs.bucket, file);
        await untilAllProcessing(clients.documents, outputs.table);
        first.child.kill(signal);
        await new Promise((resolve) => first.child.once('exit', resolve));
        clients.destroy();

        const second = await startChild(dataDir);
        const again = clientsFor(second.endpoint);
        try {
          await idle(second.child);
          const ended = await executions(again.sfn, outputs.stateMachineArn);
          expect(ended.map((e) => e.status)).to.not.include('RUNNING');
          const cutOff = new Set(ended.filter((e) => e.status === 'ABORTED').map((e) => e.executionArn));
          expect(cutOff.size, 'executions the crash cut off').to.be.greaterThan(0);
          const all = await items(again.documents, outputs.table);
          expect(all).to.have.lengthOf(PHOTOS.length);
          expect(all.map((item) => item.status)).to.not.include('PROCESSING');
          for (const item of all.filter((i) => cutOff.has(i.executionArn))) {
            expect(item.status, item.key).to.equal('FAILED');
            expect(item.error?.name).to.equal('ExecutionAborted');
            expect(item.error?.message).to.match(
              /^The execution was aborted before recording the outcome \(LocalStack/,
            );
          }
          expect(await albumCount(again.documents, outputs.albumTable)).to.equal(PHOTOS.length);
        } finally {
          again.destroy();
          await stopChild(second.child);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});

interface Child {
  child: ChildProcess;
  endpoint: string;
}

function startChild(dataDir: string): Promise<Child> {
  const options = { port: 0, dataDir, retryIntervalMs: 0, eventRetryDelayMs: 50, maxConcurrency: 1 };
  const child = fork(path.join(__dirname, '../support/stack-child.ts'), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ready?: boolean; endpoint?: string; error?: string }) =>
      message.ready ? resolve({ child, endpoint: String(message.endpoint) }) : reject(new Error(message.error)),
    );
    child.once('exit', (code) => reject(new Error(`the stack process exited with ${code}`)));
  });
}

function idle(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('message', (message: { idle?: number }) => {
      if (message.idle === 1) resolve();
    });
    child.send({ idle: 1 });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The resource names the stack's outputs give (its CloudFormation stand-in answers DescribeStacks). */
async function outputsOf(endpoint: string) {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = new CloudFormationClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const [stack] = (await cloudformation.send(new DescribeStacksCommand({}))).Stacks ?? [];
  cloudformation.destroy();
  const output = (key: string) => stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? '';
  return {
    bucket: output('PhotoRepoBucketName'),
    table: output('ImageMetadataTableName'),
    albumTable: output('AlbumMetadataTableName'),
    stateMachineArn: output('ImageProcessingStateMachineArn'),
  };
}
