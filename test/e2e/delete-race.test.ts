import { expect } from 'chai';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TEMPLATE_PATH } from '../../local/template';
import { SOURCE_SEQUENCER_METADATA } from '../../functions/lib/newest-write';
import { parseUploadKey, thumbnailKeyFor } from '../../functions/lib/upload-key';
import { IMAGES, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * The race the fault run found (docs/reliability.md): a delete whose cascade runs while GenerateThumbnail is between
 * its read of the upload and its write. A copy of template.yaml runs GenerateThumbnail through
 * test/e2e/fixtures/held-thumbnail-handler.ts, which holds the thumbnail write until this test has deleted the upload
 * and seen the cascade's tombstone, so the write lands after the cascade every time.
 */
describe('a delete during processing leaves nothing of the photo (local stack)', function () {
  this.timeout(180_000);
  let t: TestStack;
  let dir: string;

  before(async () => {
    dir = tempDir('e2e-delete-race-');
    const text = readFileSync(TEMPLATE_PATH, 'utf8');
    const held = text
      .replace('- functions/generate-thumbnail.ts', '- test/e2e/fixtures/held-thumbnail-handler.ts')
      .replace('Handler: generate-thumbnail.handler', 'Handler: held-thumbnail-handler.handler');
    if (held.split('held-thumbnail-handler').length !== 3)
      throw new Error('GenerateThumbnail not found; update this test');
    writeFileSync(path.join(dir, 'template.yaml'), held);
    t = await startTestStack({
      templatePath: path.join(dir, 'template.yaml'),
      codeRoot: PROJECT_ROOT,
      recognition: false,
    });
  });
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const photo = (name: string) => readFileSync(path.join(IMAGES, name));
  const upload = (Key: string, name: string) =>
    t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: photo(name), ContentType: 'image/jpeg' }));
  const exists = async (Key: string) => {
    try {
      await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key }));
      return true;
    } catch {
      return false;
    }
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 60_000; !(await check());) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const versionsOf = async (Key: string) => {
    const listed = await t.s3.send(new ListObjectVersionsCommand({ Bucket: t.bucket, Prefix: Key }));
    return (listed.Versions ?? []).filter((version) => version.Key === Key);
  };
  const isTombstone = async (key: string) => {
    const item = await t.item(key);
    return item !== undefined && item.userId === undefined;
  };
  const endedSuperseded = async (key: string) => {
    const executions = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.stateMachineArn }));
    const outcomes: string[] = [];
    for (const execution of executions.executions ?? []) {
      const history = await t.history(execution.executionArn ?? '');
      const input = JSON.parse(history[0]?.executionStartedEventDetails?.input ?? '{}') as {
        upload?: { key?: string };
      };
      if (input.upload?.key !== key) continue;
      const entered = history.map((event) => event.stateEnteredEventDetails?.name).filter(Boolean);
      outcomes.push(entered.includes('UploadSuperseded') ? 'superseded' : String(execution.status));
    }
    return outcomes;
  };

  it('removes the thumbnail an execution writes after the cascade of its deleted upload', async () => {
    const key = 'private/alice/uploads/race/photo.jpg';
    const thumbnail = thumbnailKeyFor(parseUploadKey(key));
    await upload(key, 'canon-ixus-2001_wedding-couple.jpg');
    await until('GenerateThumbnail to read the photo and hold its write', () => exists(`${thumbnail}.held`));
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key }));
    await until("the cascade's tombstone", () => isTombstone(key));
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: `${thumbnail}.release`, Body: 'go' }));
    await t.stack.idle();
    expect(await versionsOf(thumbnail), 'no thumbnail version of the deleted photo').to.deep.equal([]);
    expect(await isTombstone(key)).to.equal(true);
    expect(await endedSuperseded(key)).to.deep.equal(['superseded']);
  });

  it("keeps the newer upload's thumbnail when the older execution writes its own after a delete and a re-upload", async () => {
    const key = 'private/alice/uploads/race/again.jpg';
    const thumbnail = thumbnailKeyFor(parseUploadKey(key));
    await upload(key, 'canon-ixus-2001_wedding-couple.jpg');
    await until('GenerateThumbnail to read the photo and hold its write', () => exists(`${thumbnail}.held`));
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key }));
    await until("the cascade's tombstone", () => isTombstone(key));
    await upload(key, 'canon-sx60_chandelier_orient6.jpg');
    await until('the re-upload to own the item', async () => (await t.item(key))?.status === 'PROCESSING');
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: `${thumbnail}.release`, Body: 'go' }));
    await t.stack.idle();
    const item = (await t.item(key)) as { status: string; sequencer: string; thumbnail?: { versionId?: string } };
    expect(item.status).to.equal('SUCCEEDED');
    const versions = await versionsOf(thumbnail);
    expect(versions.map((version) => version.VersionId)).to.deep.equal([item.thumbnail?.versionId]);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: thumbnail }));
    expect(head.Metadata?.[SOURCE_SEQUENCER_METADATA]).to.equal(item.sequencer);
    expect((await endedSuperseded(key)).sort()).to.deep.equal(['SUCCEEDED', 'superseded']);
  });
});
