import { expect } from 'chai';
import { DeleteObjectsCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../functions/delete-cascade';
import { InvalidEvent } from '../../../functions/lib/errors';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { imageIdFor } from '../../../functions/lib/upload-key';
import { ALBUM_TABLE, AwsMocks, BUCKET, eventFixture, TABLE, USER_ID } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

/** DeleteCascade with the "Object Deleted" fixture `sam local invoke DeleteCascade -e` uses. */
describe('DeleteCascade handler', () => {
  let aws: AwsMocks;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    aws.s3.on(ListObjectVersionsCommand).callsFake(({ Prefix }: { Prefix: string }) => ({
      Versions: Prefix.includes('/resized/') ? [{ Key: Prefix, VersionId: 't1', IsLatest: true }] : [],
    }));
    aws.s3.on(DeleteObjectsCommand).resolves({});
    aws.dynamo.on(QueryCommand).resolves({ Items: [] });
  });
  after(() => aws.restore());

  const event = eventFixture<{ detail: { object: { key: string; sequencer: string } } }>(
    'eventbridge-object-deleted.json',
  );
  const KEY = event.detail.object.key;
  const thumbnailKey = KEY.replace('/uploads/', '/resized/');
  const item = {
    imageId: imageIdFor(KEY),
    bucket: BUCKET,
    key: KEY,
    userId: USER_ID,
    albumId: 'holidays',
    albumKey: `${USER_ID}/holidays`,
    fileName: 'nikon-p6000_landscape_gps.jpg',
    status: 'SUCCEEDED',
    sequencer: '0065A1B2C3D4E5F601',
    sequencerOrder: sequencerOrder('0065A1B2C3D4E5F601'),
    uploadedAt: '2026-11-22T10:15:31.000Z',
    updatedAt: '2026-11-22T10:15:40.000Z',
    thumbnail: { key: thumbnailKey, width: 250, height: 188, format: 'JPEG', sizeBytes: 9 },
  };

  it('removes the thumbnail (every version), then tombstones the item and counts the album down in one transaction', async () => {
    aws.dynamo.on(GetCommand, { TableName: TABLE }).resolves({ Item: item });
    aws.dynamo
      .on(GetCommand, { TableName: ALBUM_TABLE })
      .resolves({ Item: { userId: USER_ID, albumId: 'holidays', photoCount: 1 } });
    const outcomes = await handler(event);
    expect(outcomes).to.deep.equal([
      { key: KEY, outcome: 'deleted', removedKeys: [thumbnailKey, `${KEY.replace('/uploads/', '/converted/')}.jpg`] },
    ]);
    const deletes = aws.s3.commandCalls(DeleteObjectsCommand);
    expect(deletes.map((c) => c.args[0].input.Delete?.Objects)).to.deep.equal([
      [{ Key: thumbnailKey, VersionId: 't1' }],
    ]);
    const [transaction] = aws.dynamo.commandCalls(TransactWriteCommand);
    expect(deletes[0]?.calledBefore(transaction!), 'S3 first: a failure retries with the item still there').to.equal(
      true,
    );
    const [put, album] = transaction?.args[0].input.TransactItems ?? [];
    expect(put?.Put?.Item).to.include({
      imageId: item.imageId,
      sequencerOrder: sequencerOrder(event.detail.object.sequencer),
    });
    expect(put?.Put?.Item).not.to.have.property('userId');
    expect(album?.Update).to.include({ TableName: ALBUM_TABLE, UpdateExpression: 'ADD photoCount :delta' });
  });

  it('a duplicate delete event changes nothing', async () => {
    aws.dynamo.on(GetCommand).resolves({
      Item: {
        imageId: item.imageId,
        sequencer: event.detail.object.sequencer,
        sequencerOrder: sequencerOrder(event.detail.object.sequencer),
      },
    });
    expect(await handler(event)).to.deep.equal([
      { key: KEY, outcome: 'duplicate', reason: 'this delete is already recorded' },
    ]);
    expect(aws.s3.commandCalls(DeleteObjectsCommand)).to.deep.equal([]);
    const writes = [
      ...aws.dynamo.commandCalls(TransactWriteCommand),
      ...aws.dynamo.commandCalls(PutCommand),
      ...aws.dynamo.commandCalls(UpdateCommand),
    ];
    expect(writes).to.deep.equal([]);
  });

  it('keeps a newer upload of the same key: its item, thumbnail and count', async () => {
    aws.dynamo.on(GetCommand).resolves({
      Item: { ...item, sequencer: '0065A1B2C3D4E5F901', sequencerOrder: sequencerOrder('0065A1B2C3D4E5F901') },
    });
    expect((await handler(event))[0]).to.include({ outcome: 'superseded' });
    expect(aws.s3.commandCalls(DeleteObjectsCommand)).to.deep.equal([]);
    expect(aws.dynamo.commandCalls(TransactWriteCommand)).to.deep.equal([]);
  });

  it('skips keys outside the uploads folders and refuses events of another shape', async () => {
    const thumbnail = structuredClone(event);
    thumbnail.detail.object.key = thumbnailKey;
    expect((await handler(thumbnail))[0]).to.include({ outcome: 'skipped' });
    expect(aws.s3.calls()).to.deep.equal([]);
    await expectRejection(handler({ hello: 'world' }), InvalidEvent);
  });
});
