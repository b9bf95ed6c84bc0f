import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../local/template';
import { sigv4Headers } from './support/signed';
import { IMAGES, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * Nothing about resources is written twice: a copy of template.yaml with another table name, index, rule pattern,
 * parameter default and one more function starts a stack that follows every change.
 */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from))
    throw new Error(`template.yaml no longer contains ${JSON.stringify(from)}; update this test's edits`);
  return text.replace(from, to);
}

describe('local stack follows template.yaml', function () {
  this.timeout(120_000);
  let t: TestStack;
  let dir: string;

  before(async () => {
    dir = tempDir('e2e-template-');
    let text = readFileSync(TEMPLATE_PATH, 'utf8');
    text = edit(
      text,
      '    Properties:\n      BillingMode: PAY_PER_REQUEST',
      '    Properties:\n      TableName: photos-follow\n      BillingMode: PAY_PER_REQUEST',
    );
    text = edit(text, 'IndexName: ByUser', 'IndexName: ByOwner');
    text = edit(text, '- wildcard: private/*/uploads/*', '- wildcard: private/*/uploads/*.png');
    text = edit(
      text,
      '  ThumbnailMaxSize:\n    Type: Number\n    Default: 250',
      '  ThumbnailMaxSize:\n    Type: Number\n    Default: 64',
    );
    text = edit(
      text,
      '\nOutputs:',
      `
  SlowFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - test/e2e/fixtures/slow-handler.ts
    Properties:
      Handler: slow-handler.handler
      Timeout: 1
      Environment:
        Variables:
          SLOW_TABLE: !Ref ImageMetadataTable
      Events:
        Refused:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [aws.s3]
              detail:
                bucket:
                  name: [!Ref PhotoRepo]
                object:
                  key: [{ suffix: .fail }]

Outputs:`,
    );
    writeFileSync(path.join(dir, 'template.yaml'), text);
    t = await startTestStack({ templatePath: path.join(dir, 'template.yaml'), codeRoot: PROJECT_ROOT });
  });
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the table under its TableName with the indexes the template lists', async () => {
    expect(t.table).to.equal('photos-follow');
    const client = new DynamoDBClient({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'photos-follow' }));
    client.destroy();
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).to.deep.equal(['ByAlbum', 'ByOwner']);
  });

  it('matches uploads with the new rule pattern and gives the functions the new table and thumbnail size', async () => {
    const png = 'private/follow/uploads/cat.png';
    const jpg = 'private/follow/uploads/nikon.jpg';
    await t.s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: png,
        Body: readFileSync(path.join(IMAGES, 'skimage_chelsea-cat.png')),
      }),
    );
    await t.s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: jpg,
        Body: readFileSync(path.join(IMAGES, 'nikon-p6000_landscape_gps.jpg')),
      }),
    );
    await t.stack.idle();
    expect(await t.item(jpg)).to.equal(undefined);
    const item = (await t.item(png)) as Record<string, any>;
    expect(item).to.include({ status: 'SUCCEEDED', format: 'PNG' });
    expect(item.thumbnail).to.include({ width: 64 });
    const thumbnail = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: item.thumbnail.key }));
    expect((await sharp(Buffer.from(await thumbnail.Body!.transformToByteArray())).metadata()).width).to.equal(64);
  });

  it('runs a function added to the template with its environment and a Lambda context, and enforces its Timeout', async () => {
    const invoke = (payload: unknown) =>
      fetch(`${t.stack.endpoint}/2015-03-31/functions/SlowFunction/invocations`, {
        method: 'POST',
        headers: sigv4Headers('lambda'),
        body: JSON.stringify(payload),
      });
    const quick = await invoke({ sleepMs: 0 });
    expect(quick.headers.get('x-amz-function-error')).to.equal(null);
    const answer = (await quick.json()) as Record<string, any>;
    expect(answer).to.include({ table: 'photos-follow', imageMetadataTable: null, functionName: 'SlowFunction' });
    expect(answer.remainingMs).to.be.within(1, 1000);
    expect(answer.requestId).to.match(/^[0-9a-f-]{36}$/);

    const slow = await invoke({ sleepMs: 5000 });
    expect(slow.headers.get('x-amz-function-error')).to.equal('Unhandled');
    const error = (await slow.json()) as { errorType: string; errorMessage: string };
    expect(error.errorType).to.equal('Sandbox.Timedout');
    expect(error.errorMessage).to.include('Task timed out after 1.00 seconds');

    // The timed-out sandbox was discarded; the next invocation gets a fresh one.
    expect(((await (await invoke({ sleepMs: 0 })).json()) as { functionName: string }).functionName).to.equal(
      'SlowFunction',
    );
  });

  it('delivers to a new rule, retries a failing target twice, then keeps the event in the dead-letter file', async () => {
    const key = 'private/follow/uploads/doomed.fail';
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: 'x' }));
    await t.stack.idle();
    const letters = readFileSync(path.join(t.dataDir, 'dead-letters.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(letters).to.have.length(1);
    expect(letters[0]).to.deep.include({ rule: 'SlowFunctionRefused', target: 'SlowFunction', attempts: 3 });
    expect(letters[0].error).to.include({ errorType: 'Refused' });
    expect(letters[0].event.detail.object.key).to.equal('private/follow/uploads/doomed.fail');
  });
});
