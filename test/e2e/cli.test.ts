import { expect } from 'chai';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { imageIdFor } from '../../functions/lib/upload-key';
import { IMAGES, startTestStack, tempDir, type TestStack } from '../support/test-stack';
import { runCli } from './support/spawn';

/** npm run pipeline and npm run invoke, spawned as a user runs them, against a stack of their own or a running one. */
const CONTRACT_KEYS = ['file', 'key', 'status', 'executionArn', 'error', 'item', 'thumbnailFile', 'notifications'];

describe('pipeline and invoke CLIs', function () {
  this.timeout(180_000);
  let t: TestStack;
  let work: string;

  before(async () => {
    work = tempDir('e2e-cli-');
    t = await startTestStack();
  });
  after(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('pipeline --json prints one contract line per file, downloads thumbnails and exits 1 when a file FAILED', async () => {
    const broken = path.join(work, 'broken.jpg');
    writeFileSync(broken, readFileSync(path.join(IMAGES, 'nikon-p6000_landscape_gps.jpg')).subarray(0, 1500));
    const photo = path.join(IMAGES, 'nikon-p6000_landscape_gps.jpg');
    const gif = path.join(IMAGES, 'generated_chelsea-cat.gif');
    const out = path.join(work, 'thumbs');
    const run = await runCli('local/cli/pipeline.ts', [
      '--endpoint',
      t.stack.endpoint,
      '--album',
      'cli',
      '--json',
      '--out',
      out,
      photo,
      gif,
      broken,
    ]);
    const lines = run.stdout.trim().split('\n');
    expect(lines, run.stderr).to.have.length(3);
    const results = lines.map((line) => JSON.parse(line) as Record<string, any>);
    for (const result of results) expect(Object.keys(result)).to.have.members(CONTRACT_KEYS);
    // Exactly one message per upload, whatever its outcome, with the outcome in its attributes.
    for (const result of results) {
      expect(result.notifications, result.file).to.have.lengthOf(1);
      expect(result.notifications[0].attributes).to.include({ status: result.status, imageId: imageIdFor(result.key) });
    }
    const [ok, unsupported, failed] = results as Record<string, any>[];

    expect(ok).to.include({
      file: photo,
      key: 'private/local-user/uploads/cli/nikon-p6000_landscape_gps.jpg',
      status: 'SUCCEEDED',
      error: null,
    });
    expect(ok?.executionArn).to.equal(ok?.item.executionArn);
    expect(ok?.item).to.include({
      imageId: imageIdFor(ok?.key),
      format: 'JPEG',
      width: 640,
      height: 480,
      orientation: 1,
      sizeBytes: 161713,
      status: 'SUCCEEDED',
    });
    expect(ok?.item.uploadedAt).to.be.a('string');
    expect(ok?.item.exif).to.include({ make: 'NIKON', model: 'COOLPIX P6000' });
    expect(ok?.item.gps).to.have.keys(['latitude', 'longitude']);
    expect(ok?.item.labels).to.be.an('array');
    expect(ok?.item.faces, 'a landscape without people: checked, and no face').to.deep.equal({
      count: 0,
      detected: false,
      details: [],
    });
    expect(ok?.item.moderation).to.deep.equal({ labels: [], flagged: false });
    expect(ok?.notifications[0].message).to.include('Faces: No Face Detected');
    expect(ok?.item.thumbnail).to.include({
      key: 'private/local-user/resized/cli/nikon-p6000_landscape_gps.jpg',
      width: 250,
      height: 188,
      format: 'JPEG',
    });
    expect(ok?.thumbnailFile).to.equal(path.join(out, 'nikon-p6000_landscape_gps.jpg'));
    expect((await sharp(ok?.thumbnailFile as string).metadata()).width).to.equal(250);

    expect(unsupported).to.include({ status: 'UNSUPPORTED', thumbnailFile: null });
    expect(unsupported?.item.format).to.equal('GIF');
    expect(failed).to.include({ file: broken, status: 'FAILED' });
    expect(failed?.error.name).to.be.a('string').and.not.equal('');
    expect(failed?.item.status).to.equal('FAILED');
    expect(run.code).to.equal(1);
  });

  it('pipeline finds the stack through CloudFormation outputs (--stack) and prints a table; exit 0 when all succeed', async () => {
    const run = await runCli('local/cli/pipeline.ts', [
      '--endpoint',
      t.stack.endpoint,
      '--stack',
      'local',
      path.join(IMAGES, 'skimage_coffee.png'),
      path.join(IMAGES, 'canon-ixus-2001_wedding-couple.jpg'),
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^FILE\s+STATUS\s+FORMAT\s+SIZE\s+LABELS\s+FACES\s+THUMBNAIL/);
    expect(run.stdout).to.match(/skimage_coffee\.png\s+SUCCEEDED\s+PNG\s+600x400\s+Cup\s/);
    // Three faces are visible in the wedding photo; local recognition finds them (docs/recognition.md).
    expect(run.stdout).to.match(/canon-ixus-2001_wedding-couple\.jpg\s+SUCCEEDED\s+JPEG\s+640x480\s+Person\s+3\s/);
    const missing = await runCli('local/cli/pipeline.ts', [
      '--endpoint',
      t.stack.endpoint,
      '--stack',
      'nope',
      path.join(IMAGES, 'skimage_coffee.png'),
    ]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('Stack nope does not exist');
  });

  it('pipeline starts a stack of its own when no endpoint is named', async () => {
    const dataDir = path.join(work, 'embedded');
    const file = path.join(work, 'coffee.png');
    copyFileSync(path.join(IMAGES, 'skimage_coffee.png'), file);
    const run = await runCli('local/cli/pipeline.ts', ['--port', '0', '--data-dir', dataDir, '--json', file]);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.include({ status: 'SUCCEEDED', file });
    expect(existsSync(path.join(dataDir, 'stack.log'))).to.equal(true);
    expect(existsSync(path.join(dataDir, 'stack.lock'))).to.equal(false);
  });

  it('pipeline explains a missing file, an unreachable endpoint and a port in use, without a stack trace', async () => {
    const missing = await runCli('local/cli/pipeline.ts', [
      '--endpoint',
      t.stack.endpoint,
      path.join(work, 'nope.jpg'),
    ]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('No such file');

    const unreachable = await runCli('local/cli/pipeline.ts', [
      '--endpoint',
      'http://127.0.0.1:9',
      path.join(IMAGES, 'skimage_coffee.png'),
    ]);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.include('Cannot reach http://127.0.0.1:9 (connection refused)');

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const busy = await runCli('local/cli/pipeline.ts', [
      '--port',
      String(port),
      '--data-dir',
      path.join(work, 'busy'),
      path.join(IMAGES, 'skimage_coffee.png'),
    ]);
    blocker.close();
    expect(busy.code).to.equal(1);
    expect(busy.stderr).to.include(`Port ${port} on 127.0.0.1 is already in use`);

    for (const run of [missing, unreachable, busy]) expect(run.stderr).not.to.match(/\n\s+at /);
  });

  it('invoke bundles a function and runs the bundle with a fixture against the running stack', async () => {
    const run = await runCli('local/cli/invoke.ts', [
      'S3Trigger',
      'events/eventbridge-object-created.json',
      '--endpoint',
      t.stack.endpoint,
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('dist/S3Trigger/s3-trigger.js');
    const [outcome] = JSON.parse(run.stdout) as { outcome: string; executionArn: string }[];
    expect(outcome?.outcome).to.equal('started');
    await t.stack.idle();
    const item = await t.item(
      'private/us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11/uploads/holidays/nikon-p6000_landscape_gps.jpg',
    );
    // The fixture's object is not in the bucket: the execution it started records why.
    expect(item).to.include({ status: 'FAILED', executionArn: outcome?.executionArn });
  });
});
