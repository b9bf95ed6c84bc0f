import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  InvalidImageFormatException,
} from '@aws-sdk/client-rekognition';
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
import { WRITTEN_VERSION_ID } from '../support/aws-mocks';
import { withEnv } from '../support/helpers';

/** What NotSupportedImageType's message says the workflow takes. */
const PROCESSED_AND_CONVERTED =
  'JPEG and PNG are processed, and HEIC, HEIF, WEBP and AVIF are converted to JPEG first when ConvertFormats lists them';

/**
 * The real ASL on aws-local-stepfunctions, every Task bound to its real handler, AWS mocked at the SDK: one named
 * test per path, asserting the final status, the states entered (from the engine's event log) and the item writes.
 */
const NOTIFIED = ['NotifyResult', 'OutcomeCheck'];
const SUCCESS = [
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
  ...NOTIFIED,
  'Processed',
];
const UNSUPPORTED = [
  'ExtractImageMetadata',
  'ImageTypeCheck',
  'RecordUnsupported',
  ...NOTIFIED,
  'NotSupportedImageType',
];
const FAILED_IN_PROCESSING = [
  'ExtractImageMetadata',
  'ImageTypeCheck',
  'StoreImageMetadata',
  'ConversionCheck',
  'ProcessImage',
  'GenerateThumbnail',
  'RecordFailure',
  ...NOTIFIED,
  'ProcessingFailed',
];
/** The recognition branches beside a thumbnail that fails may or may not have started. */
const CUT_SHORT = ['DetectLabels', 'DetectFaces', 'DetectModerationLabels'];
const FAILED_IN_EXTRACT = ['ExtractImageMetadata', 'RecordFailure', ...NOTIFIED, 'ProcessingFailed'];
const CONVERTED = [...SUCCESS.slice(0, 4), 'ConvertImage', ...SUCCESS.slice(4)];
const FAILED_IN_CONVERSION = [...CONVERTED.slice(0, 5), 'RecordFailure', ...NOTIFIED, 'ProcessingFailed'];
const withFailed = (step: string) => SUCCESS.flatMap((state) => (state === step ? [state, `${step}Failed`] : [state]));
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

      const [metadata, finish, ...rest] = workflow.itemWrites();
      expect(rest, 'the metadata, then everything else with the final status in one write').to.deep.equal([]);
      expect(metadata?.fields).to.include({
        format: 'JPEG',
        width: 640,
        height: 480,
        orientation: 1,
        sizeBytes: 161713,
      });
      expect(metadata?.fields.gps).to.deep.equal({ latitude: 43.46744833333334, longitude: 11.885126666663888 });
      expect(finish?.fields.labels).to.deep.equal([
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

  describe('conversion of formats Rekognition cannot read (ConvertFormats)', () => {
    const heic = () => fixtureImage('oiio_iphone7_small.heic');

    it('an iPhone HEIC: a JPEG rendition under converted/ is what labels and the thumbnail read; the item keeps format HEIC and records the rendition', async () => {
      const upload = uploadFor('IMG_7702.HEIC');
      const run = await workflow.process(upload, heic());
      expect(run.status).to.equal('SUCCEEDED');
      expectPath(run, CONVERTED);
      const renditionKey = `private/${upload.userId}/converted/holidays/IMG_7702.HEIC.jpg`;
      const thumbnailKey = `private/${upload.userId}/resized/holidays/IMG_7702.HEIC`;
      const puts = workflow.thumbnailPuts();
      expect(puts.map((put) => [put.Key, put.ContentType])).to.deep.equal([
        [renditionKey, 'image/jpeg'],
        [thumbnailKey, 'image/jpeg'],
      ]);
      const rendition = puts[0]?.Body as Uint8Array;
      const detect = workflow.rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input;
      expect(detect?.Image, 'the rendition at the version ConvertImage wrote').to.deep.equal({
        S3Object: { Bucket: 'photorepo', Name: renditionKey, Version: WRITTEN_VERSION_ID },
      });
      const wholeReads = workflow.s3
        .commandCalls(GetObjectCommand)
        .filter((call) => call.args[0].input.Range === undefined)
        .map((call) => call.args[0].input.Key);
      expect(wholeReads, 'ConvertImage reads the upload, GenerateThumbnail the rendition').to.deep.equal([
        upload.key,
        renditionKey,
      ]);

      const [metadata] = workflow.itemWrites();
      expect(metadata?.fields).to.deep.include({ format: 'HEIC', width: 512, height: 300 });
      expect(metadata?.fields.exif).to.include({ make: 'Apple', model: 'iPhone 7' });
      expect(metadata?.fields, 'the workflow flag is not an item field').to.not.have.property('convertible');
      expect(lastWrite()).to.deep.include({
        status: 'SUCCEEDED',
        rendition: {
          key: renditionKey,
          sizeBytes: rendition.byteLength,
          format: 'JPEG',
          width: 512,
          height: 300,
          versionId: WRITTEN_VERSION_ID,
        },
      });
      expect(lastWrite().thumbnail).to.deep.include({ key: thumbnailKey, format: 'JPEG', width: 250, height: 146 });
      expect(lastWrite(), "the item keeps the upload's format").to.not.have.property('format');
    });

    it('ConvertFormats empty: the HEIC ends UNSUPPORTED with its metadata, as before conversion existed; nothing is converted', async () => {
      const run = await withEnv({ CONVERT_FORMATS: '' }, () => workflow.process(uploadFor('IMG_7702.HEIC'), heic()));
      expect(run).to.include({ status: 'FAILED', error: 'NotSupportedImageType' });
      expectPath(run, UNSUPPORTED);
      const writes = workflow.itemWrites();
      expect(writes).to.have.lengthOf(1);
      expect(writes[0]?.fields).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'HEIC',
        width: 512,
        height: 300,
        error: {
          name: 'NotSupportedImageType',
          message: 'Image format HEIC is not supported; ' + PROCESSED_AND_CONVERTED,
          state: 'ImageTypeCheck',
        },
      });
      expect(writes[0]?.fields.exif).to.include({ make: 'Apple' });
      expect(workflow.thumbnailPuts()).to.deep.equal([]);
      expect(workflow.rekognition.calls()).to.deep.equal([]);
    });

    it('an animated WebP: ConvertImage refuses it, and the item ends UNSUPPORTED with the reason and state ConvertImage', async () => {
      const animated = fixtureImage('generated_coffee_alpha-lossy.webp');
      animated[20] = animated[20]! | 0x02; // the VP8X animation flag
      const run = await workflow.process(uploadFor('loop.webp'), animated);
      expect(run).to.include({ status: 'FAILED', error: 'NotSupportedImageType' });
      expectPath(run, [...CONVERTED.slice(0, 5), 'RecordUnsupported', ...NOTIFIED, 'NotSupportedImageType']);
      expect(lastWrite()).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'WEBP',
        error: {
          name: 'NotSupportedImageType',
          message: 'Image format WEBP (animated) is not supported; ' + PROCESSED_AND_CONVERTED,
          state: 'ConvertImage',
        },
      });
      expect(lastWrite(), "the Catch's record is not an item field").to.not.have.property('unsupported');
      expect(workflow.thumbnailPuts()).to.deep.equal([]);
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
        message: 'Image format GIF is not supported; ' + PROCESSED_AND_CONVERTED,
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
      expectPath(run, FAILED_IN_PROCESSING, CUT_SHORT);
      expect(lastWrite()).to.deep.include({ status: 'FAILED' });
      expect(lastWrite().error).to.include({ name: 'CorruptImage', state: 'ProcessImage' });
      expect(workflow.thumbnailPuts()).to.deep.equal([]);
    });

    it('S3 PutObject refused with AccessDenied: not retried, the item FAILED with that error and state ProcessImage', async () => {
      workflow.s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
      expectPath(run, FAILED_IN_PROCESSING, CUT_SHORT);
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

  it('transient failure that never clears: retried MaxAttempts (8) times, then the item FAILED with TransientError', async () => {
    let calls = 0;
    workflow.dynamo.on(UpdateCommand).callsFake(() => {
      calls += 1;
      if (calls <= 9) throw awsError('InternalServerError', 500);
      return {};
    });
    const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
    expect(run.retries).to.deep.equal({ StoreImageMetadata: 8 });
    expect(run).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
    expectPath(run, [
      'ExtractImageMetadata',
      'ImageTypeCheck',
      'StoreImageMetadata',
      'RecordFailure',
      ...NOTIFIED,
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
        ...NOTIFIED,
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
      expect(run).to.include({ status: 'FAILED', error: 'UploadNotFound' });
      expectPath(run, [...FAILED_IN_EXTRACT.slice(0, -1), 'UploadNotFound']);
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
    expect(workflow.sns.attempts, 'a superseded execution publishes nothing').to.equal(0);
  });

  describe('faces, moderation and recognition failures (issue 13)', () => {
    const wedding = () => fixtureImage('canon-ixus-2001_wedding-couple.jpg');
    const face = (left: number, extra: Record<string, unknown> = {}) => ({
      BoundingBox: { Width: 0.12, Height: 0.2, Left: left, Top: 0.25 },
      Confidence: 99.9,
      ...extra,
    });

    it('faces present: a group photo gets count, detected and a box per face; the message says "Face Detected"', async () => {
      workflow.rekognition.on(DetectFacesCommand).resolves({
        FaceDetails: [
          face(0.1, { AgeRange: { Low: 25, High: 33 }, Emotions: [{ Type: 'HAPPY', Confidence: 96 }] }),
          face(0.4),
          face(0.7, { Smile: { Value: true, Confidence: 91 }, EyesOpen: { Value: true, Confidence: 97 } }),
        ],
      });
      const run = await workflow.process(uploadFor('wedding.jpg'), wedding());
      expect(run.status).to.equal('SUCCEEDED');
      expectPath(run, SUCCESS);
      const item = lastWrite();
      const faces = item.faces as { count: number; detected: boolean; details: { boundingBox: unknown }[] };
      expect(faces).to.include({ count: 3, detected: true });
      expect(faces.details.map((detail) => detail.boundingBox)).to.deep.equal(
        [0.1, 0.4, 0.7].map((left) => ({ width: 0.12, height: 0.2, left, top: 0.25 })),
      );
      expect(faces.details[0]).to.deep.include({
        ageRange: { low: 25, high: 33 },
        emotion: { type: 'HAPPY', confidence: 96 },
      });
      expect(faces.details[2]).to.deep.include({
        smile: { value: true, confidence: 91 },
        eyesOpen: { value: true, confidence: 97 },
      });
      const [message] = workflow.sns.published;
      expect(message?.Message).to.include('Faces: Face Detected (3 faces)');
      expect(message?.MessageAttributes.faceDetected?.StringValue).to.equal('true');
    });

    it('faces absent: count 0 and detected false on the item, "No Face Detected" in the message', async () => {
      const run = await workflow.process(uploadFor('castle.jpg'), jpeg());
      expect(run.status).to.equal('SUCCEEDED');
      expect(lastWrite().faces).to.deep.equal({ count: 0, detected: false, details: [] });
      expect(workflow.sns.published[0]?.Message).to.include('Faces: No Face Detected');
      expect(workflow.sns.published[0]?.MessageAttributes.faceDetected?.StringValue).to.equal('false');
    });

    it('faces refused: facesError from Rekognition, labels, moderation and thumbnail as usual, SUCCEEDED', async () => {
      workflow.rekognition
        .on(DetectFacesCommand)
        .rejects(new InvalidImageFormatException({ message: 'Request has invalid image format', $metadata: {} }));
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run.status).to.equal('SUCCEEDED');
      expectPath(run, SUCCESS);
      const item = lastWrite();
      expect(item).to.deep.include({
        status: 'SUCCEEDED',
        facesError: { name: 'InvalidImageFormatException', message: 'Request has invalid image format' },
        moderation: { labels: [], flagged: false },
      });
      expect(item).to.not.have.property('faces');
      expect(item.labels).to.have.lengthOf(2);
      expect(item.thumbnail).to.include({ format: 'JPEG' });
    });

    for (const [step, command, field] of [
      ['DetectLabels', DetectLabelsCommand, 'labels'],
      ['DetectFaces', DetectFacesCommand, 'faces'],
      ['DetectModerationLabels', DetectModerationLabelsCommand, 'moderation'],
    ] as const) {
      it(`${step} failing for good fails alone: its error on the item, the other steps' results kept, SUCCEEDED`, async () => {
        workflow.rekognition.on(command).rejects(awsError('AccessDeniedException', 403, 'not authorized'));
        const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
        expect(run.status).to.equal('SUCCEEDED');
        expectPath(run, withFailed(step));
        const item = lastWrite();
        expect(item[`${field}Error`]).to.deep.equal({
          name: 'AccessDeniedException',
          message: 'not authorized',
          state: step,
        });
        for (const other of ['labels', 'faces', 'moderation'].filter((name) => name !== field)) {
          expect(item, other).to.have.property(other);
        }
        expect(item.thumbnail).to.include({ format: 'JPEG' });
        expect(workflow.sns.published).to.have.lengthOf(1);
      });
    }

    it('a recognition step throttled past its retries fails alone too, after the retries', async () => {
      workflow.rekognition.on(DetectModerationLabelsCommand).rejects(awsError('ThrottlingException', 400, 'slow down'));
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run.status).to.equal('SUCCEEDED');
      expect(run.retries).to.deep.equal({ DetectModerationLabels: 8 });
      expect(lastWrite().moderationError).to.include({ name: 'TransientError', state: 'DetectModerationLabels' });
    });

    it('moderation flagged: the labels at or above ModerationMinConfidence, flagged, and said in the message and attributes', async () => {
      workflow.rekognition.on(DetectModerationLabelsCommand).resolves({
        ModerationLabels: [{ Name: 'Violence', ParentName: '', Confidence: 88.4 }],
      });
      await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(workflow.rekognition.commandCalls(DetectModerationLabelsCommand)[0]?.args[0].input.MinConfidence).to.equal(
        60,
      );
      expect(lastWrite().moderation).to.deep.equal({
        labels: [{ name: 'Violence', parentName: '', confidence: 88.4 }],
        flagged: true,
      });
      const [message] = workflow.sns.published;
      expect(message?.Message).to.include('Moderation: FLAGGED (Violence 88.4 %)');
      expect(message?.MessageAttributes.flagged?.StringValue).to.equal('true');
    });

    it('moderation not flagged: no label at that confidence', async () => {
      await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(lastWrite().moderation).to.deep.equal({ labels: [], flagged: false });
      expect(workflow.sns.published[0]?.MessageAttributes.flagged?.StringValue).to.equal('false');
    });

    it('DetectFaces and DetectModeration off: no Rekognition call for them, and no faces or moderation on the item', async () => {
      const run = await withEnv({ DETECT_FACES: 'false', DETECT_MODERATION: 'false' }, () =>
        workflow.process(uploadFor('photo.jpg'), jpeg()),
      );
      expect(run.status).to.equal('SUCCEEDED');
      expect(workflow.rekognition.commandCalls(DetectFacesCommand)).to.deep.equal([]);
      expect(workflow.rekognition.commandCalls(DetectModerationLabelsCommand)).to.deep.equal([]);
      expect(lastWrite()).to.not.have.any.keys('faces', 'facesError', 'moderation', 'moderationError');
      expect(workflow.sns.published[0]?.MessageAttributes).to.deep.include({
        faceDetected: { DataType: 'String', StringValue: 'unknown' },
        flagged: { DataType: 'String', StringValue: 'unknown' },
      });
    });
  });

  describe('notifications (NotifyResult, arn:aws:states:::sns:publish)', () => {
    const attributes = () =>
      Object.fromEntries(
        Object.entries(workflow.sns.published[0]?.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          value.StringValue,
        ]),
      );

    it('SUCCEEDED publishes exactly one message, to the topic, with the attributes a filter policy reads', async () => {
      const upload = uploadFor('photo.jpg');
      await workflow.process(upload, jpeg());
      expect(workflow.sns.published).to.have.lengthOf(1);
      const [message] = workflow.sns.published;
      expect(message?.TopicArn).to.equal('arn:aws:sns:us-east-1:123456789012:NotificationTopic');
      expect(message?.Subject).to.equal('Photo processed: photo.jpg');
      expect(message?.Message).to.match(/^File: photo\.jpg\nAlbum: holidays\nOutcome: SUCCEEDED\n/);
      expect(attributes()).to.deep.equal({
        status: 'SUCCEEDED',
        userId: upload.userId,
        albumId: 'holidays',
        imageId: upload.imageId,
        fileName: 'photo.jpg',
        faceDetected: 'false',
        flagged: 'false',
      });
    });

    it('UNSUPPORTED publishes exactly one message, with the reason', async () => {
      await workflow.process(uploadFor('cat.gif'), fixtureImage('generated_chelsea-cat.gif'));
      expect(workflow.sns.published).to.have.lengthOf(1);
      expect(workflow.sns.published[0]?.Message).to.include(
        'Outcome: UNSUPPORTED in ImageTypeCheck: NotSupportedImageType: Image format GIF is not supported',
      );
      expect(attributes().status).to.equal('UNSUPPORTED');
    });

    it('FAILED publishes exactly one message, with the error and the state that failed', async () => {
      await workflow.process(uploadFor('cut.jpg'), jpeg().slice(0, 20_000));
      expect(workflow.sns.published).to.have.lengthOf(1);
      expect(workflow.sns.published[0]?.Message).to.match(/Outcome: FAILED in ProcessImage: CorruptImage: /);
      expect(attributes().status).to.equal('FAILED');
    });

    it('a publish that fails is retried, then caught: the outcome stays as recorded, on every path', async () => {
      const denied = ['SNS.AuthorizationErrorException', 'SNS.AuthorizationErrorException'];
      workflow.sns.failures = [...denied];
      const succeeded = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(succeeded).to.include({ status: 'SUCCEEDED' });
      expect(succeeded.retries).to.deep.equal({ NotifyResult: 1 });
      expectPath(succeeded, SUCCESS);
      expect(statuses()).to.deep.equal(['SUCCEEDED']);
      expect(succeeded.output).to.have.nested.property('notificationError.Error', 'SNS.AuthorizationErrorException');
      expect(workflow.sns.published).to.deep.equal([]);

      workflow.reset();
      workflow.sns.failures = [...denied];
      const failed = await workflow.process(uploadFor('cut.jpg'), jpeg().slice(0, 20_000));
      expect(failed).to.include({ status: 'FAILED', error: 'ImageProcessingFailed' });
      expectPath(failed, FAILED_IN_PROCESSING, CUT_SHORT);

      workflow.reset();
      workflow.sns.failures = [...denied];
      const unsupported = await workflow.process(uploadFor('cat.gif'), fixtureImage('generated_chelsea-cat.gif'));
      expect(unsupported).to.include({ status: 'FAILED', error: 'NotSupportedImageType' });
    });

    it('SNS throttling is retried and the message then sent once', async () => {
      workflow.sns.failures = ['SNS.ThrottledException', 'SNS.ThrottledException'];
      const run = await workflow.process(uploadFor('photo.jpg'), jpeg());
      expect(run.retries).to.deep.equal({ NotifyResult: 2 });
      expect(workflow.sns.published).to.have.lengthOf(1);
    });
  });

  describe('duplicate and out-of-order events (S3Trigger over a mocked Step Functions client)', () => {
    const event = eventFixture<{ detail: { object: { key: string } } }>('eventbridge-object-created.json');

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

    it('the same event twice, executions really run: one execution, one message; the duplicate notifies never', async () => {
      workflow.objects.set(event.detail.object.key, jpeg());
      const order = sequencerOrder('0065A1B2C3D4E5F601');
      workflow.dynamo
        .on(PutCommand)
        .resolvesOnce({})
        .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
      workflow.dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: order } });
      const runs: Promise<WorkflowRun>[] = [];
      const names = new Set<string>();
      workflow.sfn.on(StartExecutionCommand).callsFake((request: { name: string; input: string }) => {
        if (names.has(request.name)) {
          throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } });
        }
        names.add(request.name);
        runs.push(workflow.execute(JSON.parse(request.input)));
        return { executionArn: `arn:${request.name}`, startDate: new Date() };
      });
      const trigger = HANDLERS.S3Trigger as (event: unknown) => Promise<{ outcome: string }[]>;
      const outcomes = [...(await trigger(event)), ...(await trigger(event))].map((outcome) => outcome.outcome);
      const finished = await Promise.all(runs);
      expect(outcomes).to.deep.equal(['started', 'duplicate']);
      expect(finished.map((run) => run.status)).to.deep.equal(['SUCCEEDED']);
      expect(workflow.sns.published).to.have.lengthOf(1);
      expect(workflow.sns.published[0]?.MessageAttributes.fileName?.StringValue).to.equal(
        'nikon-p6000_landscape_gps.jpg',
      );
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
      {
        name: 'WebP magic bytes and no picture',
        fileName: 'photo.jpg',
        bytes: webpHeader,
        status: 'FAILED',
        errorName: 'CorruptImage',
        state: 'ConvertImage',
        path: FAILED_IN_CONVERSION,
      },
      {
        name: 'HEIC magic bytes and no picture',
        fileName: 'IMG_0001.jpg',
        bytes: heicHeader,
        status: 'FAILED',
        errorName: 'CorruptImage',
        state: 'ConvertImage',
        path: FAILED_IN_CONVERSION,
      },
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
        expectPath(run, bad.path, CUT_SHORT);
        const item = lastWrite();
        expect(item.status).to.equal(bad.status);
        expect(item.error).to.include({ name: bad.errorName, ...(bad.state ? { state: bad.state } : {}) });
        if (bad.format) expect(item.format).to.equal(bad.format);
        expect(workflow.thumbnailPuts()).to.deep.equal([]);
      });
    }

    it('a bomb is refused by Rekognition rules up front too: no Rekognition call for a side over 10,000 px', async () => {
      const run = await workflow.process(uploadFor('bomb.png'), pngClaiming(100_000, 100_000));
      expect(workflow.rekognition.calls()).to.deep.equal([]);
      const answers = run.history
        .filter((event) => event.type === 'TaskSucceeded')
        .map((event) => JSON.parse(event.taskSucceededEventDetails?.output ?? '{}') as { Payload?: unknown })
        .map((output) => output.Payload);
      for (const refused of answers.filter(
        (payload) => payload && typeof payload === 'object' && 'refused' in payload,
      )) {
        expect(refused).to.have.nested.property('refused.name', 'ImageTooLargeException');
      }
      expect(lastWrite().error).to.include({ name: 'ImageTooLarge', state: 'ProcessImage' });
    });
  });
});
