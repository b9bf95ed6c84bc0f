import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as completeProcessing } from '../../../functions/complete-processing';
import { handler as recordFailure } from '../../../functions/record-failure';
import { handler as recordUnsupported } from '../../../functions/record-unsupported';
import { InvalidEvent, UploadSuperseded } from '../../../functions/lib/errors';
import { ALBUM_TABLE, AwsMocks, eventFixture } from '../../support/aws-mocks';
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
      aws.dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
      await expectRejection(completeProcessing(event), UploadSuperseded);
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
  });
});
