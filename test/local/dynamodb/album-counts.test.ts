import { expect } from 'chai';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoAlbumStore } from '../../../functions/lib/aws/dynamodb-album-store';
import { DynamoPhotoDeletions } from '../../../functions/lib/aws/dynamodb-photo-deletions';
import { DynamoPhotoQueries } from '../../../functions/lib/aws/dynamodb-photo-queries';
import { cascadeDelete, type CascadeDependencies } from '../../../functions/lib/delete-cascade';
import { DynamoImageStore } from '../../../functions/lib/aws/dynamodb-image-store';
import type { UploadRef } from '../../../functions/lib/image-item';
import { imageIdFor, parseUploadKey } from '../../../functions/lib/upload-key';
import { loadStackModel } from '../../../local/stack-model';
import { startLocalDynamo, type LocalDynamo } from './support';

/**
 * Album photo counts through the real adapters on the local DynamoDB (template.yaml's tables, transactions
 * emulated): whatever the events' order and repetition, the count is the number of live photos in the album.
 */
describe('album counts on the local DynamoDB', function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let images: DynamoImageStore;
  let albums: DynamoAlbumStore;
  let deps: CascadeDependencies;
  const model = loadStackModel({
    identity: { region: 'us-east-1', accountId: '000000000000', stackName: 'test', endpoint: 'http://127.0.0.1:1' },
  });
  const IMAGES = model.outputs.ImageMetadataTableName?.value ?? '';
  const ALBUMS = model.outputs.AlbumMetadataTableName?.value ?? '';
  const gone = new Set<string>();

  before(async () => {
    dynamo = await startLocalDynamo(model.tables);
    images = new DynamoImageStore(dynamo.documents, IMAGES, ALBUMS);
    albums = new DynamoAlbumStore(dynamo.documents, ALBUMS);
    deps = {
      photos: new DynamoPhotoDeletions(dynamo.documents, IMAGES, ALBUMS),
      objects: { currentExists: async (_b, key) => !gone.has(key), deleteEveryVersion: async () => 0 },
      albums,
      queries: new DynamoPhotoQueries(dynamo.documents, IMAGES),
    };
  });
  after(() => dynamo.stop());

  let user = 0;
  let folder: { userId: string; albumId: string };
  beforeEach(() => {
    user += 1;
    folder = { userId: `user-${user}`, albumId: 'Trip 2026' };
  });

  const upload = (file: string, sequencer: string): UploadRef => {
    const key = `private/${folder.userId}/uploads/${folder.albumId}/${file}`;
    return {
      ...parseUploadKey(key),
      bucket: 'photorepo',
      imageId: imageIdFor(key),
      sequencer,
      eventTime: '2026-11-22T10:15:30Z',
    };
  };
  const start = (file: string, sequencer: string) =>
    images.startProcessing(upload(file, sequencer), 'arn:exec', new Date());
  const remove = (file: string, sequencer: string) => {
    const ref = upload(file, sequencer);
    gone.add(ref.key);
    return cascadeDelete(
      { bucket: 'photorepo', key: ref.key, sequencer, eventTime: '2026-11-22T10:30:00Z' },
      ref,
      deps,
      new Date(),
    );
  };
  const count = async () => (await albums.get(folder.userId, folder.albumId))?.photoCount;

  it('an upload into a folder without an album makes the album, named after the folder, with one photo', async () => {
    expect(await start('a.jpg', '0065A1B2C3D4E5F601')).to.equal('started');
    expect(await albums.get(folder.userId, folder.albumId)).to.deep.include({ name: 'Trip 2026', photoCount: 1 });
  });

  it('duplicate events, re-uploads and older events never count a photo twice', async () => {
    expect(await start('a.jpg', '0065A1B2C3D4E5F601')).to.equal('started');
    expect(await start('a.jpg', '0065A1B2C3D4E5F601')).to.equal('duplicate');
    expect(await start('a.jpg', '0065A1B2C3D4E5F701')).to.equal('started');
    expect(await start('a.jpg', '0065A1B2C3D4E5F650')).to.equal('stale');
    expect(await start('b.jpg', '0065A1B2C3D4E5F602')).to.equal('started');
    expect(await count()).to.equal(2);
  });

  it('concurrent deliveries of one new upload count it once', async () => {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => start('a.jpg', '0065A1B2C3D4E5F601')));
    expect(outcomes.filter((o) => o === 'started')).to.have.lengthOf(1);
    expect(await count()).to.equal(1);
  });

  it('a delete counts down once; its duplicate, an older delete and an older upload event change nothing', async () => {
    await start('a.jpg', '0065A1B2C3D4E5F601');
    await start('b.jpg', '0065A1B2C3D4E5F602');
    expect(await remove('a.jpg', '0065A1B2C3D4E5F801')).to.include({ outcome: 'deleted' });
    expect(await count()).to.equal(1);
    expect(await remove('a.jpg', '0065A1B2C3D4E5F801')).to.include({ outcome: 'duplicate' });
    expect(await remove('a.jpg', '0065A1B2C3D4E5F700')).to.include({ outcome: 'superseded' });
    expect(await start('a.jpg', '0065A1B2C3D4E5F601'), 'the upload event redelivered after the delete').to.equal(
      'stale',
    );
    expect(await count()).to.equal(1);
    const item = await dynamo.documents.send(
      new GetCommand({ TableName: IMAGES, Key: { imageId: upload('a.jpg', '0').imageId }, ConsistentRead: true }),
    );
    expect(item.Item, 'a tombstone, in no index').not.to.have.property('userId');
  });

  it('a re-upload after a delete is a new photo again; a delete older than it keeps it', async () => {
    await start('a.jpg', '0065A1B2C3D4E5F601');
    await remove('a.jpg', '0065A1B2C3D4E5F801');
    gone.delete(upload('a.jpg', '0').key);
    expect(await start('a.jpg', '0065A1B2C3D4E5F901')).to.equal('started');
    expect(await count()).to.equal(1);
    gone.add(upload('a.jpg', '0').key);
    expect(await remove('a.jpg', '0065A1B2C3D4E5F850')).to.include({ outcome: 'superseded' });
    expect(await count()).to.equal(1);
  });

  it('an album deleted while empty is made again by the next upload', async () => {
    await start('a.jpg', '0065A1B2C3D4E5F601');
    expect(await albums.deleteIfEmpty(folder.userId, folder.albumId)).to.deep.equal({
      outcome: 'not-empty',
      photoCount: 1,
    });
    await remove('a.jpg', '0065A1B2C3D4E5F801');
    expect(await albums.deleteIfEmpty(folder.userId, folder.albumId)).to.deep.equal({ outcome: 'deleted' });
    await start('b.jpg', '0065A1B2C3D4E5F602');
    expect(await albums.get(folder.userId, folder.albumId)).to.deep.include({ name: 'Trip 2026', photoCount: 1 });
  });

  it('a photo whose album item is missing (made before albums were counted) is deleted without a negative count', async () => {
    await start('a.jpg', '0065A1B2C3D4E5F601');
    await dynamo.documents.send(new DeleteCommand({ TableName: ALBUMS, Key: folder }));
    expect(await remove('a.jpg', '0065A1B2C3D4E5F801')).to.include({ outcome: 'deleted' });
    expect(await albums.get(folder.userId, folder.albumId), 'no album of -1 appears').to.equal(undefined);
  });

  it('the cover moves to the newest remaining photo with a thumbnail when its photo is deleted', async () => {
    await start('a.jpg', '0065A1B2C3D4E5F601');
    await start('b.jpg', '0065A1B2C3D4E5F602');
    for (const [file, sequencer, time] of [
      ['a.jpg', '0065A1B2C3D4E5F601', '2026-11-22T10:15:30Z'],
      ['b.jpg', '0065A1B2C3D4E5F602', '2026-11-22T11:00:00Z'],
    ] as const) {
      const ref = { ...upload(file, sequencer), eventTime: time };
      const thumbnail = {
        key: ref.key.replace('/uploads/', '/resized/'),
        width: 1,
        height: 1,
        format: 'JPEG' as const,
        sizeBytes: 1,
      };
      await images.finish(ref, 'SUCCEEDED', { thumbnail }, new Date());
      await albums.offerCover(folder.userId, folder.albumId, {
        imageId: ref.imageId,
        thumbnailKey: thumbnail.key,
        uploadedAt: new Date(time).toISOString(),
      });
    }
    expect((await albums.get(folder.userId, folder.albumId))?.cover?.imageId).to.equal(upload('b.jpg', '0').imageId);
    await remove('b.jpg', '0065A1B2C3D4E5F801');
    expect((await albums.get(folder.userId, folder.albumId))?.cover?.imageId).to.equal(upload('a.jpg', '0').imageId);
    await remove('a.jpg', '0065A1B2C3D4E5F802');
    expect(await albums.get(folder.userId, folder.albumId))
      .to.include({ photoCount: 0 })
      .and.not.have.property('cover');
  });
});
