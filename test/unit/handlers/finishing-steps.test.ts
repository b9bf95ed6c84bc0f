import { expect } from 'chai';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler as completeProcessing } from '../../../functions/complete-processing';
import { handler as recordFailure } from '../../../functions/record-failure';
import { handler as recordUnsupported } from '../../../functions/record-unsupported';
import { InvalidEvent, UploadSuperseded } from '../../../functions/lib/errors';
import { ALBUM_TABLE, AwsMocks, eventFixture } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

/** The three steps that give the item its final status: CompleteProcessing, RecordUnsupported, RecordFailure. */
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

  describe('CompleteProcessing', () => {
    const event = eventFixture<{
      thumbnail: { key: string };
      upload: { imageId: string; userId: string; albumId: string; eventTime: string };
    }>('complete-processing.json');

    it('marks the item SUCCEEDED with its thumbnail, then offers the photo as its album cover', async () => {
      expect(await completeProcessing(event)).to.deep.equal({ status: 'SUCCEEDED' });
      expect(onlyWrite()).to.deep.include({ status: 'SUCCEEDED', thumbnail: event.thumbnail });
      const [cover, ...more] = albumUpdates();
      expect(more).to.deep.equal([]);
      expect(cover).to.deep.include({
        Key: { userId: event.upload.userId, albumId: event.upload.albumId },
        UpdateExpression: 'SET cover = :cover',
      });
      expect(cover?.ConditionExpression, 'never over a newer cover, never creating an album').to.equal(
        'attribute_exists(albumId) AND (attribute_not_exists(cover) OR cover.uploadedAt <= :uploadedAt)',
      );
      expect(cover?.ExpressionAttributeValues?.[':cover']).to.deep.equal({
        imageId: event.upload.imageId,
        thumbnailKey: event.thumbnail.key,
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
      expect(await completeProcessing(event)).to.deep.equal({ status: 'SUCCEEDED' });
    });

    it('throws InvalidEvent without a thumbnail, and UploadSuperseded when a newer upload owns the item', async () => {
      await expectRejection(completeProcessing({ ...event, thumbnail: null }), InvalidEvent, /"thumbnail"/);
      aws.dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
      await expectRejection(completeProcessing(event), UploadSuperseded);
    });
  });

  describe('RecordUnsupported', () => {
    const event = eventFixture<{ metadata: Record<string, unknown> }>('record-unsupported.json');

    it('marks the item UNSUPPORTED with the detected format and the metadata that was read', async () => {
      expect(await recordUnsupported(event)).to.deep.equal({ status: 'UNSUPPORTED', format: 'GIF' });
      expect(onlyWrite()).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'GIF',
        width: 451,
        height: 300,
        sizeBytes: 114594,
        error: {
          name: 'NotSupportedImageType',
          message: 'Image format GIF is not supported; only JPEG and PNG are processed',
          state: 'ImageTypeCheck',
        },
      });
    });

    it('records UNKNOWN when no metadata came with the input', async () => {
      const { metadata: _metadata, ...withoutMetadata } = event;
      expect(await recordUnsupported(withoutMetadata)).to.deep.equal({ status: 'UNSUPPORTED', format: 'UNKNOWN' });
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
      expect(await recordFailure(event)).to.deep.equal({ status: 'FAILED', error });
      expect(onlyWrite()).to.deep.include({ status: 'FAILED', error });
    });

    it('keeps a plain-text cause (States.* errors) as the message', async () => {
      const failure = { ProcessImage: { Error: 'States.Timeout', Cause: 'Task timed out after 120 seconds' } };
      expect(await recordFailure({ ...event, failure })).to.deep.equal({
        status: 'FAILED',
        error: { name: 'States.Timeout', message: 'Task timed out after 120 seconds', state: 'ProcessImage' },
      });
    });

    it('throws InvalidEvent without a failure', async () => {
      await expectRejection(recordFailure({ ...event, failure: 'oops' }), InvalidEvent, /"failure"/);
    });
  });
});
