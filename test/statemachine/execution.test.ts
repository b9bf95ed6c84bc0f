import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DetectLabelsCommand, InvalidImageFormatException } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sequencerOrder } from '../../functions/lib/sequencer';
import { pathProblems } from './sfn-local/expectations';
import { heicHeader, jpegClaiming, pngClaiming, webpHeader } from './support/synthetic-images';
import {
  awsError,
  eventFixture,
  fixtureImage,
  HANDLERS,
  transactionCancelled,
  uploadFor,
  Workflow,
  type WorkflowRun,
} from './support/workflow';

/**
 * The real ASL on aws-local-stepfunctions, every Task bound to its real handler, AWS mocked at the SDK: one named
 * test per path, asserting the final status, the states entered (from the engine's event log) and the item writes.
 */
const SUCCESS = [
  'ExtractImageMetadata',
  'ImageTypeCheck',
  'StoreImageMetadata',
  'ProcessImage',
  'DetectLabels',
  'StoreLabels',
  'GenerateThumbnail',
  'CompleteProcessing',
  'Processed',
];
const UNSUPPORTED = ['ExtractImageMetadata', 'ImageTypeCheck', 'RecordUnsupported', 'NotSupportedImageType'];
const FAILED_IN_PROCESSING = [
  'ExtractImageMetadata',
  'ImageTypeCheck',
  'StoreImageMetadata',
  'ProcessImage',
  'GenerateThumbnail',
  'RecordFailure',
  'ProcessingFailed',
];
const FAILED_IN_EXTRACT = ['ExtractImageMetadata', 'RecordFailure', 'ProcessingFailed'];
const PROCESSING_FAILED_CAUSE =
  'A step failed; the ImageMetadata item records the error, its cause and the state that failed.';

describe('ImageProcessing executed with the real handlers (aws-local-stepfunctions)', function () {
  this.timeout(30_000);
  let workflow: Workflow;
  before(() => {
    workflow = new Workflow();
  });
  beforeEach(() => workflow.reset());
  after(() => workflow.restore());

  const jpeg = () => fixtureImage('nikon-p6000_landscape_gps.jpg');

  function expectPath(run: WorkflowRun, statesEntered: string[], mayEnter: string[] = []) {
    const problems = pathProblems(
      run.statesEntered,
      { status: 'SUCCEEDED', statesEntered, mayEnter, retries: {} },
      workflow.definition.definition,
    );
    expect(problems, `entered: ${run.statesEntered.join(', ')}`).to.deep.equal([]);
  }

  const statuses = () =>
    workflow
      .itemWrites()
      .map((write) => write.fields.status)
      .filter((status) => status !== undefined);
  const lastWrite = () => workflow.itemWrites().at(-1)?.fields ?? {};

  describe('success', () => {
    it('JPEG: metadata, labels and a JPEG thumbnail under resized/, then SUCCEEDED', async () => {
      const upload = uploadFor('nikon-p6000_landscape_gps.jpg');
      const run = await workflow.process(upload, jpeg());
      expect(run.status).to.equal('SUCCEEDED');
      expectPath(run, SUCCESS);
      expect(run.retries).to.deep.equal({});

      const [metadata, labels, finish, ...rest] = workflow.itemWrites();
      expect(rest).to.deep.equal([]);
      expect(metadata?.fields).to.include({
        format: 'JPEG',
        width: 640,
        height: 480,
        orientation: 1,
        sizeBytes: 161713,
      });
      expect(metadata?.fields.gps).to.deep.equal({ latitude: 43.46744833333334, longitude: 11.885126666663888 });
      expect(labels?.fields.labels).to.deep.equal([
        { name: 'Outdoors', confidence: 98.21, parents: [], categories: ['Nature and Outdoors'] },
        {
          name: 'Castle',
          confidence: 81.46,
          parents: ['Building', 'Architecture'],
          instances: [{ boundingBox: { width: 0.42, height: 0.51, left: 0.31, top: 0.12 }, confidence: 81.46 }],
        },
      ]);
      const thumbnailKey = `private/${upload.userId}/resized/holidays/nikon-p6000_landscape_gps.jpg`;
      expect(finish?.fields.status).to.equal('SUCCEEDED');
      expect(finish?.fields.thumbnail).to.include({ key: thumbnailKey, width: 250, height: 188, format: 'JPEG' });
      for (const write of workflow.itemWrites()) {
        expect(write.imageId).to.equal(upload.imageId);
        expect(write.condition).to.equal('attribute_not_exists(imageId) OR #order = :order');
      }

      const [put] = workflow.thumbnailPuts();
      expect(put).to.include({ Bucket: 'photorepo', Key: thumbnailKey, ContentType: 'image/jpeg' });
      const body = put?.Body as Uint8Array;
      expect((finish?.fields.thumbnail as { sizeBytes: number }).sizeBytes).to.equal(body.byteLength);
      expect([body[0], body[1]]).to.deep.equal([0xff, 0xd8]);
      expect(
        Buffer.from(body).includes(Buffer.from('Exif\0\0', 'latin1')),
        'no EXIF (so no GPS) in the thumbnail',
      ).to.equal(false);

      const detect = workflow.rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input;
      expect(detect).to.deep.equal({
        Image: { S3Object: { Bucket: 'photorepo', Name: upload.key } },
        MaxLabels: 20,
        MinConfidence: 70,
      });
      const ranges = workflow.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range);
      expect(ranges[0], 'the metadata step reads only the head').to.equal('bytes=0-65535');
      expect(ranges.at(-1), 'the thumbnail step reads the whole object').to.equal(undefined);
    });

    it('PNG: a PNG thumbnail with its own content type, then SUCCEEDED', async () => {
      const run = await workflow.process(uploadFor('coffee.png'), fixtureImage('skimage_coffee.png'));
      expect(run.status).to.equal('SUCCEEDED');
      expectPath(run, SUCCESS);
      expect(workflow.itemWrites()[0]?.fields).to.include({ format: 'PNG', width: 600, height: 400 });
      expect(lastWrite()).to.deep.include({ status: 'SUCCEEDED' });
      expect(lastWrite().thumbnail).to.include({ width: 250, height: 167, format: 'PNG' });
      const [put] = workflow.thumbnailPuts();
      expect(put).to.include({
        ContentType: 'image/png',
        Key: `private/${uploadFor('x').userId}/resized/holidays/coffee.png`,
      });
      expect(
        Buffer.from(put?.Body as Uint8Array)
          .subarray(1, 4)
          .toString('latin1'),
      ).to.equal('PNG');
    });
  });

  it('unsupported: the GIF fixture ends in the NotSupportedImageType Fail state with the item UNSUPPORTED, format GIF', async () => {
    const run = await workflow.process(uploadFor('chelsea-cat.gif'), fixtureImage('generated_chelsea-cat.gif'));
    expect(run).to.include({
      status: 'FAILED',
      error: 'NotSupportedImageType',
      cause: 'The upload is not a JPEG or PNG image; the item records the detected format.',
    });
    expectPath(run, UNSUPPORTED);
    const writes = workflow.itemWrites();
    expect(writes).to.have.lengthOf(1);
    expect(writes[0]?.fields).to.deep.include({
      status: 'UNSUPPORTED',
      format: 'GIF',
      width: 451,
      height: 300,
      error: {
        name: 'NotSupportedImageType',
        message: 'Image format GIF is not supported; only JPEG and PNG are processed',
        state: 'ImageTypeCheck',
      },
    });
    expect(workflow.thumbnailPuts()).to.deep.equal([]);
    expect(workflow.rekognition.calls()).to.deep.equal([]);
  });

  it('labels refused: Rekognition throws InvalidImageFormatException, labelsError is recorded, the thumbnail is still written, SUCCEEDED', async () => {
    workflow.rekognition.on(DetectLabelsCommand).rejects(
      new InvalidImageFormatException({
        message: 'Request has invalid image format',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
    expect(run.status).to.equal('SUCCEEDED');
    expectPath(run, SUCCESS);
    const labels = workflow.itemWrites().find((write) => 'labelsError' in write.fields);
    expect(labels?.fields).to.deep.include({
      labels: [],
      labelsError: { name: 'InvalidImageFormatException', message: 'Request has invalid image format' },
    });
    expect(workflow.thumbnailPuts()).to.have.lengthOf(1);
    expect(lastWrite().status).to.equal('SUCCEEDED');
  });

  describe('thumbnail failure', () => {
    it('truncated JPEG bytes: CorruptImage from GenerateThumbnail, the item FAILED with state ProcessImage', async () => {
      const run = await workflow.process(uploadFor('truncated.jpg'), jpeg().slice(0, 20_000));
      expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed', cause: PROCESSING_FAILED_CAUSE });
      expectPath(run, FAILED_IN_PROCESSING, ['DetectLabels', 'StoreLabels']);
      expect(lastWrite()).to.deep.include({ status: 'FAILED' });
      expect(lastWrite().error).to.include({ name: 'CorruptImage', state: 'ProcessImage' });
      expect(workflow.thumbnailPuts()).to.deep.equal([]);
    });

    it('S3 PutObject refused with AccessDenied: not retried, the item FAILED with that error and state ProcessImage', async () => {
      workflow.s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
      expectPath(run, FAILED_IN_PROCESSING, ['DetectLabels', 'StoreLabels']);
      expect(run.retries).to.deep.equal({});
      expect(lastWrite()).to.deep.include({
        status: 'FAILED',
        error: { name: 'AccessDenied', message: 'Access Denied', state: 'ProcessImage' },
      });
      expect(statuses()).to.deep.equal(['FAILED']);
    });
  });

  it('transient failure retried then succeeding: DynamoDB throttles once, TransientError is retried, the history shows one retry', async () => {
    workflow.dynamo
      .on(UpdateCommand)
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate of requests exceeds the allowed throughput.'))
      .resolves({});
    const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
    expect(run.status).to.equal('SUCCEEDED');
    expectPath(run, SUCCESS);
    expect(run.retries).to.deep.equal({ StoreImageMetadata: 1 });
    const failed = run.history
      .filter((event) => event.type === 'TaskFailed')
      .map((event) => event.taskFailedEventDetails?.error);
    expect(failed).to.deep.equal(['TransientError']);
    const [first, second] = workflow.itemWrites();
    expect(first?.fields.format).to.equal('JPEG');
    expect(second?.fields, 'the retry writes the same metadata again').to.deep.include({ format: 'JPEG', width: 640 });
    expect(statuses()).to.deep.equal(['SUCCEEDED']);
  });

  it('transient failure that never clears: retried MaxAttempts (3) times, then the item FAILED with TransientError', async () => {
    let calls = 0;
    workflow.dynamo.on(UpdateCommand).callsFake(() => {
      calls += 1;
      if (calls <= 4) throw awsError('InternalServerError', 500);
      return {};
    });
    const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
    expect(run.retries).to.deep.equal({ StoreImageMetadata: 3 });
    expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
    expectPath(run, [
      'ExtractImageMetadata',
      'ImageTypeCheck',
      'StoreImageMetadata',
      'RecordFailure',
      'ProcessingFailed',
    ]);
    expect(lastWrite()).to.deep.include({ status: 'FAILED' });
    expect(lastWrite().error).to.include({ name: 'TransientError', state: 'StoreImageMetadata' });
  });

  describe('permanent failure', () => {
    it('DynamoDB ValidationException on the metadata: not retried, the item FAILED with state StoreImageMetadata', async () => {
      workflow.dynamo
        .on(UpdateCommand)
        .rejectsOnce(awsError('ValidationException', 400, 'Item size has exceeded the maximum allowed size'))
        .resolves({});
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed', cause: PROCESSING_FAILED_CAUSE });
      expectPath(run, [
        'ExtractImageMetadata',
        'ImageTypeCheck',
        'StoreImageMetadata',
        'RecordFailure',
        'ProcessingFailed',
      ]);
      expect(run.retries).to.deep.equal({});
      expect(lastWrite()).to.deep.include({
        status: 'FAILED',
        error: {
          name: 'ValidationException',
          message: 'Item size has exceeded the maximum allowed size',
          state: 'StoreImageMetadata',
        },
      });
    });

    it('the object is gone before processing: UploadNotFound, the item FAILED with state ExtractImageMetadata', async () => {
      const run = await workflow.process(uploadFor('deleted.jpg'), undefined);
      expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
      expectPath(run, FAILED_IN_EXTRACT);
      expect(lastWrite().error).to.include({ name: 'UploadNotFound', state: 'ExtractImageMetadata' });
    });
  });

  it('superseded: a newer upload owns the item (ConditionalCheckFailed), the execution ends in UploadSuperseded without a FAILED write', async () => {
    workflow.dynamo.on(UpdateCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
    expect(run.status).to.equal('SUCCEEDED');
    expectPath(run, ['ExtractImageMetadata', 'ImageTypeCheck', 'StoreImageMetadata', 'UploadSuperseded']);
    expect(run.retries).to.deep.equal({});
    expect(workflow.itemWrites(), 'only the refused metadata write').to.have.lengthOf(1);
    expect(statuses()).to.deep.equal([]);
    expect(run.output).to.have.nested.property('superseded.Error', 'UploadSuperseded');
  });

  describe('duplicate and out-of-order events (S3Trigger over a mocked Step Functions client)', () => {
    const event = eventFixture('eventbridge-object-created.json');

    it('the same event twice: the second StartExecution gets ExecutionAlreadyExists, both succeed, the second says duplicate', async () => {
      const order = sequencerOrder('0065A1B2C3D4E5F601');
      workflow.dynamo
        .on(PutCommand)
        .resolvesOnce({})
        .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
      workflow.dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: order } });
      workflow.sfn
        .on(StartExecutionCommand)
        .resolvesOnce({ executionArn: 'arn', startDate: new Date() })
        .rejects(
          new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }),
        );
      const trigger = HANDLERS.S3Trigger as (event: unknown) => Promise<{ outcome: string; executionArn?: string }[]>;
      const [first] = await trigger(event);
      const [second] = await trigger(event);
      expect(first?.outcome).to.equal('started');
      expect(second?.outcome).to.equal('duplicate');
      expect(second?.executionArn).to.equal(first?.executionArn);
      const names = workflow.sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
      expect(names).to.have.lengthOf(2);
      expect(names[0]).to.equal(names[1]);
    });

    it('an older event after a newer one: stale, no StartExecution', async () => {
      workflow.dynamo.on(TransactWriteCommand).rejects(transactionCancelled('ConditionalCheckFailed', 'None'));
      workflow.dynamo
        .on(PutCommand)
        .rejects(new ConditionalCheckFailedException({ message: 'newer exists', $metadata: {} }));
      workflow.dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: sequencerOrder('0065A1B2C3D4E5F699') } });
      const [outcome] = await (HANDLERS.S3Trigger as (event: unknown) => Promise<{ outcome: string }[]>)(event);
      expect(outcome?.outcome).to.equal('stale');
      expect(workflow.sfn.commandCalls(StartExecutionCommand)).to.deep.equal([]);
    });
  });

  describe('bad input through the whole machine ends in a typed terminal status', () => {
    const unsupported = (format: string) => ({
      status: 'UNSUPPORTED',
      format,
      errorName: 'NotSupportedImageType',
      path: UNSUPPORTED,
    });
    const cases: {
      name: string;
      fileName: string;
      bytes: () => Uint8Array;
      status: string;
      errorName: string;
      format?: string;
      state?: string;
      path: string[];
    }[] = [
      { name: 'zero bytes', fileName: 'empty.jpg', bytes: () => new Uint8Array(0), ...unsupported('UNKNOWN') },
      {
        name: 'a JPEG cut before its frame header',
        fileName: 'cut.jpg',
        bytes: () => jpeg().slice(0, 300),
        status: 'FAILED',
        errorName: 'CorruptImage',
        state: 'ExtractImageMetadata',
        path: FAILED_IN_EXTRACT,
      },
      {
        name: 'a JPEG cut inside its image data',
        fileName: 'cut.jpg',
        bytes: () => jpeg().slice(0, 20_000),
        status: 'FAILED',
        errorName: 'CorruptImage',
        state: 'ProcessImage',
        path: FAILED_IN_PROCESSING,
      },
      {
        name: 'a GIF',
        fileName: 'cat.jpg',
        bytes: () => fixtureImage('generated_chelsea-cat.gif'),
        ...unsupported('GIF'),
      },
      { name: 'WebP magic bytes', fileName: 'photo.jpg', bytes: webpHeader, ...unsupported('WEBP') },
      { name: 'HEIC magic bytes', fileName: 'IMG_0001.jpg', bytes: heicHeader, ...unsupported('HEIC') },
      {
        name: 'text renamed .jpg',
        fileName: 'notes.jpg',
        bytes: () => new Uint8Array(Buffer.from('Shopping list:\n- milk\n- a better camera\n')),
        ...unsupported('UNKNOWN'),
      },
      {
        name: 'a JPEG header claiming 65535x65535 (the most a JPEG can state)',
        fileName: 'bomb.jpg',
        bytes: () => jpegClaiming(65535, 65535),
        status: 'FAILED',
        errorName: 'ImageTooLarge',
        state: 'ProcessImage',
        path: FAILED_IN_PROCESSING,
      },
      {
        name: 'a PNG header claiming 100000x100000',
        fileName: 'bomb.png',
        bytes: () => pngClaiming(100_000, 100_000),
        status: 'FAILED',
        errorName: 'ImageTooLarge',
        state: 'ProcessImage',
        path: FAILED_IN_PROCESSING,
      },
    ];

    for (const bad of cases) {
      it(`${bad.name}: ${bad.status} with ${bad.errorName}`, async function () {
        this.timeout(20_000);
        const run = await workflow.process(uploadFor(bad.fileName), bad.bytes());
        expect(run.status).to.equal('FAILED');
        expect(run.error).to.equal(bad.status === 'UNSUPPORTED' ? 'NotSupportedImageType' : 'ImageProcessingFailed');
        expectPath(run, bad.path, ['DetectLabels', 'StoreLabels']);
        const item = lastWrite();
        expect(item.status).to.equal(bad.status);
        expect(item.error).to.include({ name: bad.errorName, ...(bad.state ? { state: bad.state } : {}) });
        if (bad.format) expect(item.format).to.equal(bad.format);
        expect(workflow.thumbnailPuts()).to.deep.equal([]);
      });
    }

    it('a bomb is refused by Rekognition rules up front too: no DetectLabels call for a side over 10,000 px', async () => {
      await workflow.process(uploadFor('bomb.png'), pngClaiming(100_000, 100_000));
      expect(workflow.rekognition.commandCalls(DetectLabelsCommand)).to.deep.equal([]);
      const labels = workflow.itemWrites().find((write) => 'labelsError' in write.fields);
      expect(labels?.fields.labelsError).to.include({ name: 'ImageTooLargeException' });
    });
  });
});
