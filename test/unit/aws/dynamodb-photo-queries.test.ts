import { expect } from 'chai';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoPhotoQueries } from '../../../functions/lib/aws/dynamodb-photo-queries';

describe('DynamoPhotoQueries', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  const queries = new DynamoPhotoQueries(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'Images',
  );
  const item = (imageId: string, userId = 'alice', extra: Record<string, unknown> = {}) => ({
    imageId,
    userId,
    key: `private/${userId}/uploads/${imageId}.jpg`,
    uploadedAt: '2026-11-22T10:00:00.000Z',
    sequencerOrder: '01',
    ...extra,
  });
  before(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });
  beforeEach(() => dynamo.reset());
  after(() => dynamo.restore());

  const lastQuery = () => dynamo.commandCalls(QueryCommand).at(-1)?.args[0].input;

  it('reads one item by id, strongly consistent', async () => {
    dynamo.on(GetCommand).resolves({ Item: item('x') });
    expect(await queries.photo('x')).to.deep.include({ imageId: 'x' });
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).to.deep.equal({
      TableName: 'Images',
      Key: { imageId: 'x' },
      ConsistentRead: true,
    });
  });

  it('lists a user newest first on ByUser, the start key rebuilt with the caller partition', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [item('a'), item('b', 'bob')],
      LastEvaluatedKey: { imageId: 'a', userId: 'alice', uploadedAt: '2026-11-22T10:00:00.000Z' },
    });
    const page = await queries.page({ userId: 'alice' }, 2, { imageId: 'z', uploadedAt: '2026-11-23T00:00:00.000Z' });
    expect(
      page.items.map((i) => i.imageId),
      "another user's item never passes",
    ).to.deep.equal(['a']);
    expect(page.last).to.deep.equal({ imageId: 'a', uploadedAt: '2026-11-22T10:00:00.000Z' });
    expect(lastQuery()).to.deep.include({
      IndexName: 'ByUser',
      KeyConditionExpression: '#partition = :partition',
      ExpressionAttributeNames: { '#partition': 'userId' },
      ExpressionAttributeValues: { ':partition': 'alice' },
      ScanIndexForward: false,
      Limit: 2,
      ExclusiveStartKey: { userId: 'alice', imageId: 'z', uploadedAt: '2026-11-23T00:00:00.000Z' },
    });
  });

  it('lists an album on ByAlbum under the caller album key; no last key means no next page', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [item('a', 'alice', { albumId: 'h' })] });
    const page = await queries.page({ userId: 'alice', albumId: 'h' }, 50);
    expect(page).not.to.have.property('last');
    expect(lastQuery()).to.deep.include({
      IndexName: 'ByAlbum',
      ExpressionAttributeValues: { ':partition': 'alice/h' },
    });
    expect(lastQuery()).not.to.have.property('ExclusiveStartKey');
  });

  it('finds the newest other photo of an album that has a thumbnail, across pages', async () => {
    const thumbnail = { key: 'private/alice/resized/h/c.jpg' };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [item('gone', 'alice', { thumbnail }), item('b')],
        LastEvaluatedKey: { imageId: 'b', uploadedAt: 't' },
      })
      .resolvesOnce({ Items: [item('c', 'alice', { thumbnail })] });
    expect((await queries.newestWithThumbnail('alice', 'h', 'gone'))?.imageId).to.equal('c');
  });
});
