import { expect } from 'chai';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DynamoPhotoDeletions, TOMBSTONE_TTL_SECONDS } from '../../../functions/lib/aws/dynamodb-photo-deletions';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { transactionCancelled } from '../../support/aws-mocks';

describe('DynamoPhotoDeletions', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  const deletions = new DynamoPhotoDeletions(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'Images',
    'Albums',
  );
  const now = new Date('2026-11-22T10:30:00Z');
  const live = {
    imageId: 'img',
    userId: 'alice',
    albumId: 'h',
    key: 'private/alice/uploads/h/a.jpg',
    sequencer: '0065A1B2C3D4E5F601',
    sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601'),
  } as never;
  const tombstone = {
    imageId: 'img',
    sequencer: '0065A1B2C3D4E5F801',
    sequencerOrder: sequencerOrder('0065A1B2C3D4E5F801'),
    deletedAt: '2026-11-22T10:30:00.000Z',
    expiresAt: Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
  };
  before(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });
  beforeEach(() => dynamo.reset());
  after(() => dynamo.restore());

  it('replaces a live photo in an album by its tombstone and counts the album down, in one transaction', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    expect(await deletions.recordDeletion('img', '0065A1B2C3D4E5F801', live, now)).to.equal(true);
    const [put, album] = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(put?.Put).to.deep.equal({
      TableName: 'Images',
      Item: tombstone,
      ConditionExpression: 'sequencerOrder = :seen',
      ExpressionAttributeValues: { ':seen': sequencerOrder('0065A1B2C3D4E5F601') },
    });
    expect(album?.Update).to.deep.include({
      TableName: 'Albums',
      Key: { userId: 'alice', albumId: 'h' },
      UpdateExpression: 'ADD photoCount :delta',
      ConditionExpression: 'photoCount > :zero',
      ExpressionAttributeValues: { ':delta': -1, ':zero': 0 },
    });
  });

  it('answers false when the item changed since it was read, so the cascade reads again', async () => {
    dynamo.on(TransactWriteCommand).rejects(transactionCancelled('ConditionalCheckFailed', 'None'));
    expect(await deletions.recordDeletion('img', '0065A1B2C3D4E5F801', live, now)).to.equal(false);
    expect(dynamo.commandCalls(PutCommand)).to.deep.equal([]);
  });

  it('records the removal alone when the album is gone or already at zero', async () => {
    dynamo.on(TransactWriteCommand).rejects(transactionCancelled('None', 'ConditionalCheckFailed'));
    dynamo.on(PutCommand).resolves({});
    expect(await deletions.recordDeletion('img', '0065A1B2C3D4E5F801', live, now)).to.equal(true);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).to.deep.equal(tombstone);
  });

  it('tombstones a key with no item (conditional on it staying absent) without a transaction', async () => {
    dynamo.on(PutCommand).resolves({});
    expect(await deletions.recordDeletion('img', '0065A1B2C3D4E5F801', undefined, now)).to.equal(true);
    expect(dynamo.commandCalls(TransactWriteCommand)).to.deep.equal([]);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).to.equal(
      'attribute_not_exists(imageId)',
    );
  });
});
