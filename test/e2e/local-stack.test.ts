import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { imageIdFor } from '../../functions/lib/upload-key';
import { sigv4Headers } from './support/signed';
import { IMAGES, rejection, startTestStack, type TestStack } from '../support/test-stack';

/**
 * The whole backend on the local stack: real photos uploaded to the local S3 run through the template's rule,
 * S3Trigger, the ASL and every handler, and end as items, thumbnails and AWS-shaped execution histories.
 */
const PHOTOS = {
  nikon: 'nikon-p6000_landscape_gps.jpg',
  iphone: 'iphone6_wisteria_8mp_gps.jpg',
  rotated: 'unsplash_landscape_orient6.jpg',
  cat: 'skimage_chelsea-cat.png',
  pngExif: 'generated_nikon-p6000_gps.png',
  gif: 'generated_chelsea-cat.gif',
  heic: 'oiio_iphone7_small.heic',
  group: 'canon-ixus-2001_wedding-couple.jpg',
};
const keyOf = (file: string) => `private/e2e-user/uploads/holidays/${file}`;

describe('local stack end to end (real photos through template.yaml, the ASL and the handlers)', function () {
  this.timeout(120_000);
  let t: TestStack;

  before(async () => {
    t = await startTestStack({
      env: { SFN_MOCK_CONFIG: path.join(__dirname, '../../statemachine/test/MockConfigFile.json') },
    });
    await Promise.all(
      Object.values(PHOTOS).map((file) =>
        t.s3.send(
          new PutObjectCommand({ Bucket: t.bucket, Key: keyOf(file), Body: readFileSync(path.join(IMAGES, file)) }),
        ),
      ),
    );
    await t.stack.idle();
  });
  after(async () => t?.stop());

  describe('uploads under private/{user}/uploads/', () => {
    it('records a JPEG with its EXIF, GPS, labels and thumbnail', async () => {
      const item = (await t.item(keyOf(PHOTOS.nikon))) as Record<string, any>;
      expect(item).to.include({
        status: 'SUCCEEDED',
        format: 'JPEG',
        width: 640,
        height: 480,
        userId: 'e2e-user',
        albumId: 'holidays',
        fileName: PHOTOS.nikon,
      });
      expect(item.exif).to.include({ make: 'NIKON', model: 'COOLPIX P6000' });
      expect(item.exif.takenAt).to.match(/^2008-10-22T16:28:39/);
      expect(item.gps.latitude).to.be.closeTo(43.4674483, 1e-6);
      expect(item.gps.longitude).to.be.closeTo(11.8851267, 1e-6);
      expect(item.labels).to.be.an('array');
      expect(item.thumbnail).to.include({
        key: 'private/e2e-user/resized/holidays/nikon-p6000_landscape_gps.jpg',
        format: 'JPEG',
      });
      expect(item.executionArn).to.match(/^arn:aws:states:us-east-1:000000000000:execution:ImageProcessing:/);
    });

    it('keeps the altitude of an 8 MP phone photo and the camera of a PNG with an eXIf chunk', async () => {
      const iphone = (await t.item(keyOf(PHOTOS.iphone))) as Record<string, any>;
      expect(iphone).to.include({ status: 'SUCCEEDED', width: 3264, height: 2448 });
      expect(iphone.exif).to.include({ make: 'Apple', model: 'iPhone 6' });
      expect(iphone.gps.altitude).to.be.closeTo(639.61, 0.01);
      const png = (await t.item(keyOf(PHOTOS.pngExif))) as Record<string, any>;
      expect(png).to.include({ status: 'SUCCEEDED', format: 'PNG', width: 640, height: 480 });
      expect(png.gps.latitude).to.be.closeTo(43.4674483, 1e-6);
    });

    it('reports displayed dimensions and writes an upright thumbnail for an EXIF-rotated photo', async () => {
      const item = (await t.item(keyOf(PHOTOS.rotated))) as Record<string, any>;
      expect(item).to.include({ status: 'SUCCEEDED', width: 1800, height: 1200, orientation: 6 });
      const thumbnail = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: item.thumbnail.key }));
      const meta = await sharp(Buffer.from(await thumbnail.Body!.transformToByteArray())).metadata();
      expect(meta.width).to.equal(item.thumbnail.width).and.to.equal(250);
      expect(meta.height).to.equal(item.thumbnail.height);
      expect(meta.width).to.be.greaterThan(meta.height as number);
    });

    it('labels a cat through the local Rekognition', async () => {
      const item = (await t.item(keyOf(PHOTOS.cat))) as Record<string, any>;
      expect(item.status).to.equal('SUCCEEDED');
      expect((item.labels as { name: string }[]).map((label) => label.name)).to.include('Cat');
      const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: item.thumbnail.key }));
      expect(head.ContentLength).to.equal(item.thumbnail.sizeBytes);
    });

    it('converts an iPhone HEIC: its JPEG rendition under converted/ is labelled and thumbnailed, the item keeps format HEIC', async () => {
      const item = (await t.item(keyOf(PHOTOS.heic))) as Record<string, any>;
      expect(item).to.include({ status: 'SUCCEEDED', format: 'HEIC', width: 512, height: 300 });
      expect(item.exif).to.include({ make: 'Apple', model: 'iPhone 7' });
      expect(item.rendition).to.include({
        key: 'private/e2e-user/converted/holidays/oiio_iphone7_small.heic.jpg',
        format: 'JPEG',
        width: 512,
        height: 300,
      });
      const rendition = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: item.rendition.key }));
      expect(rendition).to.include({ ContentLength: item.rendition.sizeBytes, ContentType: 'image/jpeg' });
      expect(item.labels).to.be.an('array');
      const thumbnail = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: item.thumbnail.key }));
      const meta = await sharp(Buffer.from(await thumbnail.Body!.transformToByteArray())).metadata();
      expect(meta).to.include({ format: 'jpeg', width: 250, height: item.thumbnail.height });
      expect(item.thumbnail.key).to.equal('private/e2e-user/resized/holidays/oiio_iphone7_small.heic');
    });

    it('finds the faces of a group photo, each with its box, and none in a photo without people (count 0)', async () => {
      const group = (await t.item(keyOf(PHOTOS.group))) as Record<string, any>;
      expect(group.status).to.equal('SUCCEEDED');
      expect(group.faces.count).to.be.at.least(2);
      expect(group.faces.detected).to.equal(true);
      expect(group.faces.details).to.have.lengthOf(group.faces.count);
      for (const { boundingBox, confidence } of group.faces.details) {
        expect(confidence).to.be.within(0, 100);
        for (const side of ['left', 'top', 'width', 'height']) expect(boundingBox[side]).to.be.within(0, 1);
        expect(boundingBox.width).to.be.greaterThan(0);
      }
      const lefts = group.faces.details.map((detail: { boundingBox: { left: number } }) => detail.boundingBox.left);
      expect(new Set(lefts).size, 'a box per face, not one box repeated').to.equal(lefts.length);
      const cat = (await t.item(keyOf(PHOTOS.cat))) as Record<string, any>;
      expect(cat.faces).to.deep.equal({ count: 0, detected: false, details: [] });
      expect(cat.moderation).to.have.property('flagged').that.is.a('boolean');
    });

    it('marks a GIF UNSUPPORTED with its format and writes no thumbnail', async () => {
      const item = (await t.item(keyOf(PHOTOS.gif))) as Record<string, any>;
      expect(item).to.include({ status: 'UNSUPPORTED', format: 'GIF' });
      expect(item.thumbnail).to.equal(undefined);
      const thumbnail = t.s3.send(
        new HeadObjectCommand({ Bucket: t.bucket, Key: 'private/e2e-user/resized/holidays/generated_chelsea-cat.gif' }),
      );
      expect((await rejection(thumbnail)).name).to.equal('NotFound');
    });
  });

  describe('execution histories', () => {
    it('reads like AWS: typed state events, one TaskScheduled/TaskStarted/TaskSucceeded per Lambda call, ids chained', async () => {
      const item = (await t.item(keyOf(PHOTOS.nikon))) as Record<string, any>;
      const history = await t.history(item.executionArn);
      expect(history[0]?.type).to.equal('ExecutionStarted');
      expect(history.at(-1)?.type).to.equal('ExecutionSucceeded');
      history.forEach((event, index) => {
        expect(event.id).to.equal(index + 1);
        expect(event.previousEventId).to.be.lessThan(event.id as number);
        expect(event.timestamp).to.be.instanceOf(Date);
      });
      expect(entered(history)).to.have.members([
        'ExtractImageMetadata',
        'ImageTypeCheck',
        'StoreImageMetadata',
        'ConversionCheck',
        'ProcessImage',
        'DetectLabels',
        'GenerateThumbnail',
        'DetectFaces',
        'DetectModerationLabels',
        'CompleteProcessing',
        'NotifyResult',
        'OutcomeCheck',
        'Processed',
      ]);
      expect(entered(history).slice(0, 5)).to.deep.equal([
        'ExtractImageMetadata',
        'ImageTypeCheck',
        'StoreImageMetadata',
        'ConversionCheck',
        'ProcessImage',
      ]);
      expect(entered(history).slice(-4)).to.deep.equal([
        'CompleteProcessing',
        'NotifyResult',
        'OutcomeCheck',
        'Processed',
      ]);
      const types = history.map((event) => event.type);
      expect(types).to.include.members([
        'ChoiceStateEntered',
        'ParallelStateEntered',
        'ParallelStateStarted',
        'ParallelStateSucceeded',
        'SucceedStateEntered',
      ]);
      const scheduled = history.filter((event) => event.type === 'TaskScheduled');
      expect(scheduled).to.have.length(8);
      expect(scheduled.filter((event) => event.taskScheduledEventDetails?.resourceType === 'sns')).to.have.length(1);
      const extract = JSON.parse(scheduled[0]?.taskScheduledEventDetails?.parameters ?? '{}');
      expect(extract.FunctionName).to.equal('arn:aws:lambda:us-east-1:000000000000:function:ExtractImageMetadata');
      expect(extract.Payload.executionArn).to.equal(item.executionArn);
      const succeeded = history.filter((event) => event.type === 'TaskSucceeded');
      expect(succeeded).to.have.length(8);
      expect(JSON.parse(succeeded[0]?.taskSucceededEventDetails?.output ?? '{}')).to.include({ StatusCode: 200 });
      // A branch's first state follows ParallelStateStarted, not whatever event came before it.
      const started = history.find((event) => event.type === 'ParallelStateStarted');
      const branchStarts = history.filter((event) =>
        ['DetectLabels', 'GenerateThumbnail', 'DetectFaces', 'DetectModerationLabels'].includes(
          event.stateEnteredEventDetails?.name ?? '',
        ),
      );
      for (const event of branchStarts) expect(event.previousEventId).to.equal(started?.id);
    });

    it('ends an unsupported upload in NotSupportedImageType after RecordUnsupported', async () => {
      const item = (await t.item(keyOf(PHOTOS.gif))) as Record<string, any>;
      const description = await t.sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }));
      expect(description).to.include({ status: 'FAILED', error: 'NotSupportedImageType' });
      const history = await t.history(item.executionArn);
      expect(entered(history)).to.deep.equal([
        'ExtractImageMetadata',
        'ImageTypeCheck',
        'RecordUnsupported',
        'NotifyResult',
        'OutcomeCheck',
        'NotSupportedImageType',
      ]);
      expect(history.at(-1)?.executionFailedEventDetails?.error).to.equal('NotSupportedImageType');
    });
  });

  describe('the rule pattern and re-uploads', () => {
    it('starts nothing for keys outside the rule pattern', async () => {
      const before = await executionCount(t);
      const keys = [
        'public/e2e/outside.jpg',
        'private/e2e-user/resized/holidays/outside.jpg',
        'private/e2e-user/elsewhere/outside.jpg',
      ];
      for (const key of keys)
        await t.s3.send(
          new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: readFileSync(path.join(IMAGES, PHOTOS.nikon)) }),
        );
      await t.stack.idle();
      expect(await executionCount(t)).to.equal(before);
      for (const key of keys) expect(await t.item(key)).to.equal(undefined);
      const log = readFileSync(path.join(t.dataDir, 'stack.log'), 'utf8');
      for (const key of keys) expect(log).not.to.include(`Object Created ${key}`);
    });

    it('updates the item when the same key is uploaded again (newer sequencer, new execution)', async () => {
      const key = keyOf('again.jpg');
      await t.s3.send(
        new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: readFileSync(path.join(IMAGES, PHOTOS.nikon)) }),
      );
      await t.stack.idle();
      const first = (await t.item(key)) as Record<string, any>;
      await t.s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: key,
          Body: readFileSync(path.join(IMAGES, 'nikon-e950_field-gun.jpg')),
        }),
      );
      await t.stack.idle();
      const second = (await t.item(key)) as Record<string, any>;
      expect(first).to.include({ status: 'SUCCEEDED', width: 640 });
      expect(second).to.include({ status: 'SUCCEEDED', width: 800, height: 600 });
      expect(second.sequencerOrder > first.sequencerOrder).to.equal(true);
      expect(second.executionArn).not.to.equal(first.executionArn);
      expect(second.exif.model).to.equal('E950');
    });

    it('decodes keys with spaces, plus signs, percent signs and accents exactly once', async () => {
      const key = 'private/e2e-user/uploads/été 2026/my photo+1 (100%).jpg';
      await t.s3.send(
        new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: readFileSync(path.join(IMAGES, PHOTOS.nikon)) }),
      );
      await t.stack.idle();
      const item = (await t.item(key)) as Record<string, any>;
      expect(item).to.include({ key, albumId: 'été 2026', fileName: 'my photo+1 (100%).jpg', status: 'SUCCEEDED' });
      expect(item.thumbnail.key).to.equal('private/e2e-user/resized/été 2026/my photo+1 (100%).jpg');
    });
  });

  describe('S3 as clients use it', () => {
    it('stores a streamed upload made with the SDK default checksums (aws-chunked) byte for byte', async () => {
      const bytes = readFileSync(path.join(IMAGES, PHOTOS.cat));
      const checksummed = new S3Client({
        endpoint: t.stack.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const key = 'public/e2e/streamed.png';
      await checksummed.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: key,
          Body: Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]),
          ContentLength: bytes.length,
        }),
      );
      checksummed.destroy();
      const stored = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(bytes)).to.equal(true);
    });

    it('serves SDK v3 clients configured by AWS_ENDPOINT_URL alone', async () => {
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: t.stack.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'any',
        AWS_SECRET_ACCESS_KEY: 'any',
      });
      try {
        const s3 = new S3Client({});
        const sfn = new SFNClient({});
        await s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'public/e2e/env.txt', Body: 'from env' }));
        expect(
          await (
            await s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'public/e2e/env.txt' }))
          ).Body!.transformToString(),
        ).to.equal('from env');
        expect(
          (await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.map((machine) => machine.name),
        ).to.include('ImageProcessing');
        s3.destroy();
        sfn.destroy();
      } finally {
        for (const name of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
          if (saved[name] === undefined) delete process.env[name];
          else process.env[name] = saved[name];
        }
      }
    });

    it('answers ranged GETs, presigned PUTs and the CORS preflight of the template', async () => {
      const ranged = await t.s3.send(
        new GetObjectCommand({ Bucket: t.bucket, Key: keyOf(PHOTOS.nikon), Range: 'bytes=0-3' }),
      );
      expect(Buffer.from(await ranged.Body!.transformToByteArray()).toString('hex')).to.equal('ffd8ffe1');
      expect(ranged.ContentRange).to.match(/^bytes 0-3\/\d+$/);

      const url = await getSignedUrl(
        t.s3,
        new PutObjectCommand({ Bucket: t.bucket, Key: 'public/e2e/presigned.txt', ContentType: 'text/plain' }),
        { expiresIn: 300 },
      );
      const put = await fetch(url, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } });
      expect(put.status).to.equal(200);
      const stored = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'public/e2e/presigned.txt' }));
      expect(await stored.Body!.transformToString()).to.equal('hello');

      const origin = t.stack.model.parameters.CorsAllowedOrigin as string;
      const preflight = await fetch(`${t.stack.endpoint}/${t.bucket}/private/x/uploads/a.jpg`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).to.equal(200);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal(origin);
      const refused = await fetch(`${t.stack.endpoint}/${t.bucket}/private/x/uploads/a.jpg`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
      });
      expect(refused.status).to.equal(403);
    });
  });

  describe('the Step Functions API', () => {
    const input = (key: string) =>
      JSON.stringify({
        upload: {
          bucket: 'photorepo',
          key,
          userId: 'e2e-user',
          fileName: 'missing.jpg',
          imageId: imageIdFor(key),
          sequencer: '0A',
          eventTime: '2026-11-22T10:15:30Z',
        },
      });

    it('names executions deterministically and refuses a second start with the same name', async () => {
      const key = 'private/e2e-user/uploads/missing.jpg';
      const started = await t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: t.stateMachineArn, name: 'by-hand-1', input: input(key) }),
      );
      expect(started.executionArn).to.equal(
        'arn:aws:states:us-east-1:000000000000:execution:ImageProcessing:by-hand-1',
      );
      await t.stack.idle();
      const again = t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: t.stateMachineArn, name: 'by-hand-1', input: input(key) }),
      );
      expect((await rejection(again)).name).to.equal('ExecutionAlreadyExists');
      const description = await t.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(description, 'a missing upload ends in its own state').to.include({
        status: 'FAILED',
        error: 'UploadNotFound',
      });
      const item = (await t.documents.send(new GetCommand({ TableName: t.table, Key: { imageId: imageIdFor(key) } })))
        .Item as Record<string, any>;
      expect(item).to.include({ status: 'FAILED' });
      expect(item.error).to.include({ name: 'UploadNotFound', state: 'ExtractImageMetadata' });
    });

    it('stops a running execution and lists it as ABORTED', async () => {
      const created = await t.sfn.send(
        new CreateStateMachineCommand({
          name: 'Waiting',
          roleArn: 'arn:aws:iam::000000000000:role/Any',
          definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 600, End: true } } }),
        }),
      );
      const { executionArn } = await t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'stop-me' }),
      );
      await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Enough', cause: 'the test is done' }));
      await t.stack.idle();
      const description = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(description).to.include({ status: 'ABORTED', error: 'Enough', cause: 'the test is done' });
      const history = await t.history(executionArn as string);
      expect(history.at(-1)).to.deep.include({
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: 'Enough', cause: 'the test is done' },
      });
      const listed = await t.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: created.stateMachineArn, statusFilter: 'ABORTED' }),
      );
      expect(listed.executions?.map((execution) => execution.name)).to.deep.equal(['stop-me']);
    });

    it('answers Task states from SFN_MOCK_CONFIG on <arn>#<TestCase>, as Step Functions Local does', async () => {
      const key = 'private/e2e-user/uploads/mocked.jpg';
      const happy = await t.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: `${t.stateMachineArn}#HappyPath`,
          name: 'mocked-happy',
          input: input(key),
        }),
      );
      const unsupported = await t.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: `${t.stateMachineArn}#UnsupportedType`,
          name: 'mocked-gif',
          input: input(key),
        }),
      );
      await t.stack.idle();
      expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: happy.executionArn }))).to.include({
        status: 'SUCCEEDED',
      });
      expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: unsupported.executionArn }))).to.include({
        status: 'FAILED',
        error: 'NotSupportedImageType',
      });
      // The mocks answered: nothing reached the table for this key.
      expect(await t.item(key)).to.equal(undefined);
      const unknown = t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: `${t.stateMachineArn}#NoSuchCase`, input: input(key) }),
      );
      expect((await rejection(unknown)).message).to.include('NoSuchCase');
    });
  });

  describe('bad requests', () => {
    it('get clear errors, and the stack keeps serving', async () => {
      const post = (headers: Record<string, string>, body: string, route = '/') =>
        fetch(`${t.stack.endpoint}${route}`, {
          method: 'POST',
          headers: { ...sigv4Headers(route === '/' ? 'states' : 'lambda'), ...headers },
          body,
        });

      const unknown = await post(
        { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
        '{}',
      );
      expect(unknown.status).to.equal(400);
      expect(await unknown.json()).to.deep.include({ __type: 'UnknownOperationException' });

      const badJson = await post(
        { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' },
        '{nope',
      );
      expect(badJson.status).to.equal(400);
      expect(((await badJson.json()) as { __type: string }).__type).to.equal('SerializationException');

      const unknownOperation = await post(
        { 'x-amz-target': 'AWSStepFunctions.SendTaskHeartbeat', 'content-type': 'application/x-amz-json-1.0' },
        '{}',
      );
      expect(((await unknownOperation.json()) as { message: string }).message).to.include(
        'does not implement SendTaskHeartbeat',
      );
      // An operation named like a member of Object.prototype is unknown too, not a call of that member.
      const prototypeMember = await post(
        { 'x-amz-target': 'AWSStepFunctions.constructor', 'content-type': 'application/x-amz-json-1.0' },
        '{}',
      );
      expect(prototypeMember.status).to.equal(400);
      expect(((await prototypeMember.json()) as { __type: string }).__type).to.equal('UnknownOperationException');

      const badName = t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: t.stateMachineArn, name: 'has space', input: '{}' }),
      );
      expect((await rejection(badName)).name).to.equal('InvalidName');
      const badInput = t.sfn.send(new StartExecutionCommand({ stateMachineArn: t.stateMachineArn, input: 'not json' }));
      expect((await rejection(badInput)).name).to.equal('InvalidExecutionInput');
      const noExecution = t.sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${t.stateMachineArn.replace(':stateMachine:', ':execution:')}:nothing`,
        }),
      );
      expect((await rejection(noExecution)).name).to.equal('ExecutionDoesNotExist');
      const noTable = t.documents.send(new GetCommand({ TableName: 'NoSuchTable', Key: { imageId: 'x' } }));
      expect((await rejection(noTable)).name).to.equal('ResourceNotFoundException');

      const noFunction = await post(
        { 'content-type': 'application/json' },
        '{}',
        '/2015-03-31/functions/NoSuchFunction/invocations',
      );
      expect(noFunction.status).to.equal(404);
      expect(noFunction.headers.get('x-amzn-errortype')).to.equal('ResourceNotFoundException');
      const badPayload = await post(
        { 'content-type': 'application/json' },
        '{',
        '/2015-03-31/functions/RecordFailure/invocations',
      );
      expect(badPayload.status).to.equal(400);
      const functionError = await post(
        { 'content-type': 'application/json' },
        '{}',
        '/2015-03-31/functions/RecordFailure/invocations',
      );
      expect(functionError.status).to.equal(200);
      expect(functionError.headers.get('x-amz-function-error')).to.equal('Unhandled');
      expect(((await functionError.json()) as { errorType: string }).errorType).to.equal('InvalidEvent');

      const brokenChunks = await fetch(`${t.stack.endpoint}/${t.bucket}/public/e2e/broken.bin`, {
        method: 'PUT',
        headers: {
          ...sigv4Headers('s3'),
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'content-encoding': 'aws-chunked',
        },
        body: 'zz;garbage\r\n',
      });
      expect(brokenChunks.status).to.equal(400);

      const notHttp = await new Promise<string>((resolve) => {
        let answer = '';
        const socket = net.connect(t.stack.port, '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
      expect(notHttp).to.match(/^HTTP\/1\.1 400 /);

      const health = await fetch(`${t.stack.endpoint}/_local/health`);
      expect(health.status).to.equal(200);
      const listed = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.stateMachineArn }));
      expect(listed.executions?.length).to.be.greaterThan(0);
    });
  });
});

function entered(history: HistoryEvent[]): string[] {
  return history
    .filter((event) => event.type?.endsWith('StateEntered'))
    .map((event) => event.stateEnteredEventDetails?.name ?? '?');
}

async function executionCount(t: TestStack): Promise<number> {
  const listed = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.stateMachineArn, maxResults: 1000 }));
  return listed.executions?.length ?? 0;
}
