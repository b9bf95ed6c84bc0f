import { expect } from 'chai';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoAlbumStore } from '../../../functions/lib/aws/dynamodb-album-store';
import { TransientError } from '../../../functions/lib/errors';
import { awsError } from '../../support/aws-mocks';

describe('DynamoAlbumStore', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  const store = new DynamoAlbumStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'Albums',
  );
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
  const album = { userId: 'alice', albumId: 'a1', name: 'One', createdAt: '2026-11-22T10:00:00.000Z', photoCount: 0 };

  before(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });
  beforeEach(() => dynamo.reset());
  after(() => dynamo.restore());

  it('lists one user partition, every page, strongly consistent, keeping only well-formed albums', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [album], LastEvaluatedKey: { userId: 'alice', albumId: 'a1' } })
      .resolvesOnce({ Items: [{ ...album, albumId: 'a2', cover: { imageId: 'i' } }, { userId: 'alice' }] });
    const albums = await store.list('alice');
    expect(albums.map((a) => a.albumId)).to.deep.equal(['a1', 'a2']);
    expect(albums[1], 'a malformed cover is dropped').not.to.have.property('cover');
    const [first, second] = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(first).to.deep.include({
      TableName: 'Albums',
      KeyConditionExpression: 'userId = :userId',
      ExpressionAttributeValues: { ':userId': 'alice' },
      ConsistentRead: true,
    });
    expect(second?.ExclusiveStartKey).to.deep.equal({ userId: 'alice', albumId: 'a1' });
  });

  it('creates only a new id, renames only an existing album (answering it), and tells missing from refused', async () => {
    dynamo.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.create(album)).to.equal(true);
    expect(await store.create(album)).to.equal(false);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).to.equal(
      'attribute_not_exists(albumId)',
    );

    dynamo
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { ...album, name: 'Two' } })
      .rejectsOnce(conditionFailed());
    expect(await store.rename('alice', 'a1', 'Two')).to.deep.include({ name: 'Two' });
    expect(await store.rename('alice', 'nope', 'Two')).to.equal(undefined);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).to.deep.include({
      Key: { userId: 'alice', albumId: 'a1' },
      ConditionExpression: 'attribute_exists(albumId)',
      ReturnValues: 'ALL_NEW',
    });
  });

  it('deletes only an empty album; otherwise answers whether it is missing or how many photos it holds', async () => {
    dynamo.on(DeleteCommand).resolvesOnce({}).rejects(conditionFailed());
    expect(await store.deleteIfEmpty('alice', 'a1')).to.deep.equal({ outcome: 'deleted' });
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input.ConditionExpression).to.equal(
      'attribute_exists(albumId) AND (attribute_not_exists(photoCount) OR photoCount <= :zero)',
    );
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { ...album, photoCount: 3 } })
      .resolvesOnce({});
    expect(await store.deleteIfEmpty('alice', 'a1')).to.deep.equal({ outcome: 'not-empty', photoCount: 3 });
    expect(await store.deleteIfEmpty('alice', 'a1')).to.deep.equal({ outcome: 'missing' });
  });

  it('sets a cover only over an older one, and replaces it only while it shows the removed photo', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());
    const cover = {
      imageId: 'i2',
      thumbnailKey: 'private/alice/resized/a1/b.jpg',
      uploadedAt: '2026-11-23T00:00:00.000Z',
    };
    await store.offerCover('alice', 'a1', cover);
    await store.replaceCover('alice', 'a1', 'i1', cover);
    await store.replaceCover('alice', 'a1', 'i1', undefined);
    const [offer, replace, remove] = dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(offer?.ExpressionAttributeValues).to.deep.equal({ ':cover': cover, ':uploadedAt': cover.uploadedAt });
    expect(replace).to.deep.include({
      UpdateExpression: 'SET cover = :next',
      ConditionExpression: 'cover.imageId = :removed',
    });
    expect(remove).to.deep.include({
      UpdateExpression: 'REMOVE cover',
      ExpressionAttributeValues: { ':removed': 'i1' },
    });
  });

  it('turns throttling into TransientError', async () => {
    dynamo.on(QueryCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const error = await store.list('alice').catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(TransientError);
  });
});
