import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteObjectCommand, HeadObjectCommand, type DeleteObjectCommandInput } from '@aws-sdk/client-s3';
import { handler as completeProcessing } from '../../../functions/complete-processing';
import { handler as recordFailure } from '../../../functions/record-failure';
import { handler as recordUnsupported } from '../../../functions/record-unsupported';
import { InvalidEvent, UploadSuperseded } from '../../../functions/lib/errors';
import { convertedKeyFor, parseUploadKey, thumbnailKeyFor } from '../../../functions/lib/upload-key';
import { ALBUM_TABLE, AwsMocks, awsError, eventFixture } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

/** What NotSupportedImageType's message says the workflow takes. */
const PROCESSED_AND_CONVERTED =
  'JPEG and PNG are processed, and HEIC, HEIF, WEBP and AVIF are converted to JPEG first when ConvertFormats lists them';

/**
 * The three steps that give the item its final status (CompleteProcessing, RecordUnsupported, RecordFailure): one
 * conditional write each, and the outcome with the notification NotifyResult publishes.
 */
describe('final status handlers', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  const onlyWrite = () => {
    expect(aws.itemWrites()).to.have.lengthOf(1);
    return aws.itemWrites()[0]?.fields ?? {};
  };
  const albumUpdates = () =>
    aws.dynamo
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.TableName === ALBUM_TABLE);
  const attributes = (notification: unknown) =>
    Object.fromEntries(
      Object.entries((notification as { attributes: Record<string, { StringValue: string }> }).attributes).map(
        ([name, value]) => [name, value.StringValue],
      ),
    );

  const superseded = () =>
    aws.dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
  /** S3 holding, per key, a stack of versions (last is current), each made by the upload with that sequencer. */
  const versionedObjects = (stacks: Record<string, { versionId: string; sequencer: string }[]>) => {
    aws.s3.on(HeadObjectCommand).callsFake(({ Key }: { Key: string }) => {
      const top = stacks[Key]?.at(-1);
      if (!top) throw awsError('NotFound', 404);
      return { ContentLength: 9, VersionId: top.versionId, Metadata: { 'source-sequencer': top.sequencer } };
    });
    aws.s3.on(DeleteObjectCommand).callsFake(({ Key, VersionId }: DeleteObjectCommandInput) => {
      const stack = stacks[String(Key)] ?? [];
      if (!stack.some((version) => version.versionId === VersionId)) throw awsError('NoSuchVersion', 404);
      stacks[String(Key)] = stack.filter((version) => version.versionId !== VersionId);
      return {};
    });
  };
  const deletedVersions = () =>
    aws.s3.commandCalls(DeleteObjectCommand).map(({ args }) => `${args[0].input.Key} ${args[0].input.VersionId}`);
  const NEWER = '0065A1B2C3D4E5F6FF';

  describe('CompleteProcessing', () => {
    type Processed = Record<string, Record<string, unknown>>;
    const event = eventFixture<{
      processed: Processed;
      metadata: Record<string, unknown>;
      upload: { imageId: string; userId: string; albumId: string; eventTime: string };
    }>('complete-processing.json');

    it('marks the item SUCCEEDED with labels, faces, moderation and thumbnail in one write, and answers the notification', async () => {
      const outcome = await completeProcessing(event);
      const { labels, faces, moderation, thumbnail } = event.processed;
      expect(onlyWrite()).to.deep.include({
        status: 'SUCCEEDED',
        labels: labels?.labels,
        faces: faces?.faces,
        moderation: moderation?.moderation,
        thumbnail,
      });
      expect(outcome.status).to.equal('SUCCEEDED');
      expect(outcome.notification.subject).to.equal('Photo processed: nikon-p6000_landscape_gps.jpg');
      expect(outcome.notification.message).to.include('Face Detected (2 faces)').and.include('Outdoors 98.2 %');
      expect(attributes(outcome.notification)).to.deep.include({
        status: 'SUCCEEDED',
        albumId: 'holidays',
        faceDetected: 'true',
        flagged: 'false',
      });
    });

    it('then offers the photo as its album cover: its thumbnail, never over a newer cover, never creating an album', async () => {
      await completeProcessing(event);
      const [cover, ...more] = albumUpdates();
      expect(more).to.deep.equal([]);
      expect(cover).to.deep.include({
        Key: { userId: event.upload.userId, albumId: event.upload.albumId },
        UpdateExpression: 'SET cover = :cover',
      });
      expect(cover?.ConditionExpression).to.equal(
        'attribute_exists(albumId) AND (attribute_not_exists(cover) OR cover.uploadedAt <= :uploadedAt)',
      );
      expect(cover?.ExpressionAttributeValues?.[':cover']).to.deep.equal({
        imageId: event.upload.imageId,
        thumbnailKey: event.processed.thumbnail?.key,
        uploadedAt: new Date(event.upload.eventTime).toISOString(),
      });
    });

    it('offers no cover for a photo outside any album, and ignores an album that shows a newer photo', async () => {
      const { albumId: _albumId, ...upload } = event.upload;
      await completeProcessing({ ...event, upload });
      expect(albumUpdates()).to.deep.equal([]);
      aws.dynamo
        .on(UpdateCommand, { TableName: ALBUM_TABLE })
        .rejects(new ConditionalCheckFailedException({ message: 'newer cover', $metadata: {} }));
      expect((await completeProcessing(event)).status).to.equal('SUCCEEDED');
    });

    it('records each recognition failure as its own error field, beside what the other steps found', async () => {
      const processed = {
        ...event.processed,
        faces: { refused: { name: 'InvalidImageFormatException', message: 'Request has invalid image format' } },
        moderation: {
          failed: {
            Error: 'AccessDeniedException',
            Cause: '{"errorType":"AccessDeniedException","errorMessage":"no"}',
          },
        },
      };
      const outcome = await completeProcessing({ ...event, processed });
      const fields = onlyWrite();
      expect(fields).to.deep.include({
        status: 'SUCCEEDED',
        labels: event.processed.labels?.labels,
        facesError: { name: 'InvalidImageFormatException', message: 'Request has invalid image format' },
        moderationError: { name: 'AccessDeniedException', message: 'no', state: 'DetectModerationLabels' },
      });
      expect(fields).to.not.have.any.keys('faces', 'moderation');
      expect(attributes(outcome.notification)).to.deep.include({ faceDetected: 'unknown', flagged: 'unknown' });
    });

    it('leaves out what a step that was off did not check, and records the rendition of a converted upload', async () => {
      const rendition = {
        key: 'private/u/converted/a/IMG.HEIC.jpg',
        sizeBytes: 1,
        format: 'JPEG',
        width: 2,
        height: 3,
      };
      const processed = { ...event.processed, faces: { skipped: 'disabled' }, moderation: { skipped: 'disabled' } };
      await completeProcessing({ ...event, metadata: { ...event.metadata, rendition }, processed });
      const fields = onlyWrite();
      expect(fields).to.not.have.any.keys('faces', 'facesError', 'moderation', 'moderationError');
      expect(fields.rendition).to.deep.equal(rendition);
    });

    it('throws InvalidEvent without a branch result, and UploadSuperseded when a newer upload owns the item', async () => {
      await expectRejection(completeProcessing({ ...event, processed: null }), InvalidEvent, /"processed"/);
      const { faces: _faces, ...withoutFaces } = event.processed;
      await expectRejection(
        completeProcessing({ ...event, processed: withoutFaces }),
        InvalidEvent,
        /"processed.faces"/,
      );
      superseded();
      await expectRejection(completeProcessing(event), UploadSuperseded);
    });

    it('superseded (a delete or a newer upload took the item), removes its own thumbnail versions (gone ones too), never a newer one', async () => {
      const thumbnail = { ...event.processed.thumbnail, versionId: 'written' } as { key: string; versionId: string };
      const own = event.upload as unknown as { sequencer: string };
      const stacks = {
        [thumbnail.key]: [
          { versionId: 'newer', sequencer: NEWER },
          // An attempt whose result was lost; the version it answered ('written') is already gone (a cascade).
          { versionId: 'retried', sequencer: own.sequencer },
        ],
      };
      versionedObjects(stacks);
      superseded();
      const processed = { ...event.processed, thumbnail };
      await expectRejection(completeProcessing({ ...event, processed }), UploadSuperseded);
      expect(deletedVersions()).to.deep.equal([`${thumbnail.key} written`, `${thumbnail.key} retried`]);
      expect(stacks[thumbnail.key]?.map((version) => version.versionId)).to.deep.equal(['newer']);
      expect(albumUpdates(), 'no cover for a superseded photo').to.deep.equal([]);
    });

    it('touches no object when the item is still its own', async () => {
      await completeProcessing(event);
      expect(aws.s3.commandCalls(HeadObjectCommand)).to.deep.equal([]);
      expect(deletedVersions()).to.deep.equal([]);
    });
  });

  describe('RecordUnsupported', () => {
    const event = eventFixture<{ metadata: Record<string, unknown> }>('record-unsupported.json');

    it('marks the item UNSUPPORTED with the detected format and the metadata that was read, and answers the notification', async () => {
      const outcome = await recordUnsupported(event);
      expect(outcome).to.include({ status: 'UNSUPPORTED', format: 'GIF' });
      expect(onlyWrite()).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'GIF',
        width: 451,
        height: 300,
        sizeBytes: 114594,
        error: {
          name: 'NotSupportedImageType',
          message: 'Image format GIF is not supported; ' + PROCESSED_AND_CONVERTED,
          state: 'ImageTypeCheck',
        },
      });
      expect(outcome.notification.subject).to.equal('Photo not supported: chelsea-cat.gif');
      expect(outcome.notification.message).to.include(
        'Outcome: UNSUPPORTED in ImageTypeCheck: NotSupportedImageType: Image format GIF is not supported',
      );
      expect(attributes(outcome.notification)).to.deep.include({
        status: 'UNSUPPORTED',
        faceDetected: 'unknown',
        flagged: 'unknown',
      });
    });

    it("records ConvertImage's refusal of an animated WebP, with state ConvertImage (events/record-unsupported-converted.json)", async () => {
      const outcome = await recordUnsupported(eventFixture('record-unsupported-converted.json'));
      expect(outcome).to.include({ status: 'UNSUPPORTED', format: 'WEBP' });
      const fields = onlyWrite();
      expect(fields).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'WEBP',
        error: {
          name: 'NotSupportedImageType',
          message: 'Image format WEBP (animated) is not supported; ' + PROCESSED_AND_CONVERTED,
          state: 'ConvertImage',
        },
      });
      expect(fields).to.not.have.any.keys('unsupported', 'convertible');
      expect(outcome.notification.message).to.include('Outcome: UNSUPPORTED in ConvertImage: NotSupportedImageType');
    });

    it('records UNKNOWN when no metadata came with the input', async () => {
      const { metadata: _metadata, ...withoutMetadata } = event;
      expect(await recordUnsupported(withoutMetadata)).to.include({ status: 'UNSUPPORTED', format: 'UNKNOWN' });
    });
  });

  describe('RecordFailure', () => {
    const event = eventFixture('record-failure.json');

    it('marks the item FAILED with the error, the message from the Lambda runtime JSON, and the state that failed', async () => {
      const error = {
        name: 'CorruptImage',
        message: 'JPEG data ends before the first scan',
        state: 'GenerateThumbnail',
      };
      const outcome = await recordFailure(event);
      expect(outcome).to.deep.include({ status: 'FAILED', error });
      expect(onlyWrite()).to.deep.include({ status: 'FAILED', error });
      expect(outcome.notification.subject).to.equal('Photo processing failed: nikon-p6000_landscape_gps.jpg');
      expect(outcome.notification.message).to.include(
        'Outcome: FAILED in GenerateThumbnail: CorruptImage: JPEG data ends before the first scan',
      );
      expect(attributes(outcome.notification).status).to.equal('FAILED');
    });

    it('keeps a plain-text cause (States.* errors) as the message', async () => {
      const failure = { ProcessImage: { Error: 'States.Timeout', Cause: 'Task timed out after 120 seconds' } };
      expect((await recordFailure({ ...event, failure })).error).to.deep.equal({
        name: 'States.Timeout',
        message: 'Task timed out after 120 seconds',
        state: 'ProcessImage',
      });
    });

    it('throws InvalidEvent without a failure', async () => {
      await expectRejection(recordFailure({ ...event, failure: 'oops' }), InvalidEvent, /"failure"/);
    });

    it('superseded, removes the thumbnail and rendition its failed execution made', async () => {
      const upload = parseUploadKey((event as { upload: { key: string } }).upload.key);
      const sequencer = (event as { upload: { sequencer: string } }).upload.sequencer;
      const thumbnailKey = thumbnailKeyFor(upload);
      const renditionKey = convertedKeyFor(upload);
      const stacks = {
        [thumbnailKey]: [{ versionId: 'thumbnail', sequencer }],
        [renditionKey]: [{ versionId: 'rendition', sequencer }],
      };
      versionedObjects(stacks);
      superseded();
      await expectRejection(recordFailure(event), UploadSuperseded);
      expect(deletedVersions()).to.have.members([`${thumbnailKey} thumbnail`, `${renditionKey} rendition`]);
      expect(stacks).to.deep.equal({ [thumbnailKey]: [], [renditionKey]: [] });
    });
  });
});
