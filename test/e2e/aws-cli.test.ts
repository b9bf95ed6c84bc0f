import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { imageIdFor } from '../../functions/lib/upload-key';
import { requireSystemTool } from '../support/system-tools';
import { IMAGES, startTestStack, type TestStack } from '../support/test-stack';

/** The AWS CLI v2 (Debian's awscli) against the endpoint, as the README shows it. */
const AWS = '/usr/bin/aws';
const run = promisify(execFile);

describe('AWS CLI v2 against the local endpoint', function () {
  this.timeout(120_000);
  let t: TestStack;

  before(async function () {
    requireSystemTool(this, existsSync(AWS), `the AWS CLI v2 (${AWS})`, 'awscli');
    t = await startTestStack();
  });
  after(async () => t?.stop());

  const aws = async (...args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    delete env.AWS_PROFILE;
    const { stdout } = await run(
      AWS,
      ['--endpoint-url', `http://localhost:${t.stack.port}`, '--output', 'json', ...args],
      { env },
    );
    return stdout;
  };

  it('uploads a photo with s3 cp, then reads the item with dynamodb get-item and the history with stepfunctions', async () => {
    const key = 'private/cli-user/uploads/my album/wedding +1.jpg';
    await aws('s3', 'cp', path.join(IMAGES, 'canon-ixus-2001_wedding-couple.jpg'), `s3://${t.bucket}/${key}`);
    await t.stack.idle();
    const item = JSON.parse(
      await aws(
        'dynamodb',
        'get-item',
        '--table-name',
        t.table,
        '--key',
        JSON.stringify({ imageId: { S: imageIdFor(key) } }),
      ),
    ).Item;
    expect(item.status.S).to.equal('SUCCEEDED');
    expect(item.key.S).to.equal(key);
    expect(item.exif.M.make.S).to.equal('Canon');
    const history = JSON.parse(
      await aws('stepfunctions', 'get-execution-history', '--execution-arn', item.executionArn.S),
    ).events as { type: string }[];
    expect(history[0]?.type).to.equal('ExecutionStarted');
    expect(history.at(-1)?.type).to.equal('ExecutionSucceeded');
    const listing = JSON.parse(
      await aws('s3api', 'list-objects-v2', '--bucket', t.bucket, '--prefix', 'private/cli-user/resized/'),
    ).Contents as { Key: string }[];
    expect(listing.map((object) => object.Key)).to.deep.equal(['private/cli-user/resized/my album/wedding +1.jpg']);
    const outputs = JSON.parse(await aws('cloudformation', 'describe-stacks', '--stack-name', 'local')).Stacks[0]
      .Outputs as { OutputKey: string; OutputValue: string }[];
    expect(outputs.find((output) => output.OutputKey === 'ImageMetadataTableName')?.OutputValue).to.equal(t.table);
  });
});
