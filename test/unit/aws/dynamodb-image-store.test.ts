import { expect } from 'chai';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoImageStore } from '../../../functions/lib/aws/dynamodb-image-store';
import { TransientError, UploadSuperseded } from '../../../functions/lib/errors';
import type { ImageMetadata } from '../../../functions/lib/image-metadata';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { imageIdFor, parseUploadKey } from '../../../functions/lib/upload-key';
import { awsError, decodeUpdate, uploadFor } from '../../support/aws-mocks';

describe('DynamoImageStore', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  const store = new DynamoImageStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'Images',
  );
  const upload = uploadFor('photo.jpg', '0065A1B2C3D4E5F601');
  const now = new Date('2026-11-22T10:16:00Z');
  const conditionFailed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  before(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });
  beforeEach(() => {
    dynamo.reset();
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
  });
  after(() => dynamo.restore());

  const updates = () => dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);

  describe('startProcessing', () => {
    it('puts the PROCESSING item unless one for the same or a newer upload exists', async () => {
      expect(await store.startProcessing(upload, 'arn:exec', now)).to.equal('started');
      const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
      expect(put).to.deep.equal({
        TableName: 'Images',
        Item: {
          imageId: upload.imageId,
          bucket: 'photorepo',
          key: upload.key,
          userId: upload.userId,
          albumId: 'holidays',
          albumKey: `${upload.userId}/holidays`,
          fileName: 'photo.jpg',
          sequencer: '0065A1B2C3D4E5F601',
          sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601'),
          status: 'PROCESSING',
          executionArn: 'arn:exec',
          uploadedAt: '2026-11-22T10:15:30Z',
          updatedAt: '2026-11-22T10:16:00.000Z',
        },
        ConditionExpression: 'attribute_not_exists(imageId) OR sequencerOrder < :order',
        ExpressionAttributeValues: { ':order': sequencerOrder('0065A1B2C3D4E5F601') },
      });
    });

    it('answers duplicate when the item holds this very upload, read consistently', async () => {
      dynamo.on(PutCommand).rejects(conditionFailed());
      dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601') } });
      expect(await store.startProcessing(upload, 'arn:exec', now)).to.equal('duplicate');
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).to.deep.equal({
        TableName: 'Images',
        Key: { imageId: upload.imageId },
        ProjectionExpression: 'sequencerOrder',
        ConsistentRead: true,
      });
    });

    it('answers stale when a newer upload of the key owns the item', async () => {
      dynamo.on(PutCommand).rejects(conditionFailed());
      dynamo.on(GetCommand).resolves({ Item: { sequencerOrder: sequencerOrder('0065A1B2C3D4E5F7') } });
      expect(await store.startProcessing(upload, 'arn:exec', now)).to.equal('stale');
    });

    it('keeps the sequencer order of a shorter sequencer comparable: "0065A1B2C3D4E5F7" is newer than "...F601"', () => {
      expect(sequencerOrder('0065A1B2C3D4E5F7') > sequencerOrder('0065A1B2C3D4E5F601')).to.equal(true);
    });

    it('throws TransientError on throttling and rethrows other errors', async () => {
      dynamo.on(PutCommand).rejects(awsError('ProvisionedThroughputExceededException'));
      await store.startProcessing(upload, 'arn', now).then(
        () => expect.fail('resolved'),
        (error: unknown) => expect(error).to.be.instanceOf(TransientError),
      );
      dynamo.on(PutCommand).rejects(awsError('ResourceNotFoundException'));
      await store.startProcessing(upload, 'arn', now).then(
        () => expect.fail('resolved'),
        (error: unknown) => expect((error as Error).name).to.equal('ResourceNotFoundException'),
      );
    });
  });

  describe('conditional updates', () => {
    const metadata: ImageMetadata = {
      format: 'JPEG',
      width: 640,
      height: 480,
      sizeBytes: 161713,
      uploadedAt: '2026-11-22T10:15:31.000Z',
      bytesRead: 65536,
      exif: { make: 'NIKON' },
    };

    it('sets only defined fields, the identity of the upload and updatedAt, never the key attribute, while the item is this upload’s', async () => {
      await store.saveMetadata(upload, metadata, now);
      const [input] = updates();
      expect(input?.Key).to.deep.equal({ imageId: upload.imageId });
      expect(input?.ConditionExpression).to.equal('attribute_not_exists(imageId) OR #order = :order');
      expect(input?.ExpressionAttributeNames?.['#order']).to.equal('sequencerOrder');
      expect(input?.ExpressionAttributeValues?.[':order']).to.equal(sequencerOrder(upload.sequencer));
      const { fields } = decodeUpdate(input as NonNullable<typeof input>);
      expect(fields).to.deep.equal({
        bucket: 'photorepo',
        key: upload.key,
        userId: upload.userId,
        albumId: 'holidays',
        albumKey: `${upload.userId}/holidays`,
        fileName: 'photo.jpg',
        sequencer: upload.sequencer,
        sequencerOrder: sequencerOrder(upload.sequencer),
        format: 'JPEG',
        width: 640,
        height: 480,
        sizeBytes: 161713,
        exif: { make: 'NIKON' },
        uploadedAt: '2026-11-22T10:15:31.000Z',
        updatedAt: '2026-11-22T10:16:00.000Z',
      });
      expect(input?.UpdateExpression).to.not.match(/imageId|undefined/);
      expect(Object.values(input?.ExpressionAttributeNames ?? {})).to.not.include('imageId');
    });

    it('sets uploadedAt only if missing when the write does not carry one (an execution started by hand)', async () => {
      await store.finish(upload, 'FAILED', { error: { name: 'CorruptImage', message: 'm' } }, now);
      const [input] = updates();
      expect(input?.UpdateExpression).to.match(/#uploadedAt = if_not_exists\(#uploadedAt, :eventTime\)/);
      expect(input?.ExpressionAttributeNames?.['#uploadedAt']).to.equal('uploadedAt');
      expect(input?.ExpressionAttributeValues?.[':eventTime']).to.equal(upload.eventTime);
    });

    it('writes every final status with what it carries, in one conditional update each', async () => {
      const faces = {
        count: 1,
        detected: true,
        details: [{ boundingBox: { width: 0.1, height: 0.2, left: 0.3, top: 0.4 }, confidence: 99 }],
      };
      const thumbnail = { key: 'k', width: 1, height: 1, format: 'PNG' as const, sizeBytes: 9 };
      await store.finish(
        upload,
        'SUCCEEDED',
        {
          labels: [{ name: 'Dog', confidence: 99, parents: [] }],
          faces,
          moderation: { labels: [], flagged: false },
          thumbnail,
        },
        now,
      );
      await store.finish(
        upload,
        'SUCCEEDED',
        {
          labels: [],
          labelsError: { name: 'InvalidImageFormatException', message: 'bad' },
          facesError: { name: 'AccessDeniedException', message: 'no', state: 'DetectFaces' },
          thumbnail,
        },
        now,
      );
      await store.finish(
        upload,
        'UNSUPPORTED',
        { metadata: { ...metadata, format: 'GIF' }, error: { name: 'NotSupportedImageType', message: 'm' } },
        now,
      );
      const fields = updates().map((input) => decodeUpdate(input as NonNullable<typeof input>).fields);
      expect(fields[0]).to.deep.include({
        status: 'SUCCEEDED',
        labels: [{ name: 'Dog', confidence: 99, parents: [] }],
        faces,
        moderation: { labels: [], flagged: false },
        thumbnail,
      });
      expect(fields[1]).to.deep.include({
        labels: [],
        labelsError: { name: 'InvalidImageFormatException', message: 'bad' },
        facesError: { name: 'AccessDeniedException', message: 'no', state: 'DetectFaces' },
      });
      expect(fields[1], 'what a step did not give is not written').to.not.have.any.keys('faces', 'moderation');
      expect(fields[2]).to.deep.include({
        status: 'UNSUPPORTED',
        format: 'GIF',
        error: { name: 'NotSupportedImageType', message: 'm' },
      });
      for (const input of updates()) {
        expect(input?.ConditionExpression).to.equal('attribute_not_exists(imageId) OR #order = :order');
      }
    });

    it('leaves the album out for an upload without one', async () => {
      const key = `private/${upload.userId}/uploads/x.jpg`;
      const noAlbum = {
        ...parseUploadKey(key),
        bucket: 'photorepo',
        imageId: imageIdFor(key),
        sequencer: '01',
        eventTime: upload.eventTime,
      };
      await store.finish(noAlbum, 'FAILED', {}, now);
      const { fields } = decodeUpdate(updates()[0] as NonNullable<ReturnType<typeof updates>[number]>);
      expect(fields).to.not.have.property('albumId');
      expect(fields).to.not.have.property('albumKey');
    });

    it('throws UploadSuperseded when the item belongs to another upload', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());
      const error = await store.finish(upload, 'FAILED', {}, now).then(
        () => undefined,
        (thrown: unknown) => thrown as UploadSuperseded,
      );
      expect(error).to.be.instanceOf(UploadSuperseded);
      expect(error).to.include({ key: upload.key, sequencer: upload.sequencer });
    });
  });
});
