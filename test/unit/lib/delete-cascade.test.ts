import { expect } from 'chai';
import type { AlbumCover, AlbumRecord } from '../../../functions/lib/albums';
import {
  cascadeDelete,
  deletionVerdict,
  derivedKeysOf,
  type CascadeDependencies,
} from '../../../functions/lib/delete-cascade';
import { TransientError } from '../../../functions/lib/errors';
import { isPhotoItem, type ImageItem, type StoredItem } from '../../../functions/lib/image-item';
import type { ObjectDeleted } from '../../../functions/lib/s3-events';
import { sequencerOrder } from '../../../functions/lib/sequencer';
import { imageIdFor, parseUploadKey } from '../../../functions/lib/upload-key';

/** The cascade's rules over in-memory stand-ins for the item table, the bucket and the albums, recording each step. */
class Fakes {
  readonly steps: string[] = [];
  readonly items = new Map<string, StoredItem>();
  readonly objects = new Set<string>();
  readonly albums = new Map<string, AlbumRecord>();
  /** Items to put in place right after the next read (a concurrent writer). */
  interleave: StoredItem[] = [];

  photos = {
    current: async (imageId: string) => {
      this.steps.push('read item');
      const item = this.items.get(imageId);
      const next = this.interleave.shift();
      if (next) this.items.set(next.imageId, next);
      return item;
    },
    recordDeletion: async (imageId: string, sequencer: string, seen: StoredItem | undefined) => {
      const now = this.items.get(imageId);
      if (now?.sequencerOrder !== seen?.sequencerOrder) return false;
      this.steps.push('tombstone');
      if (isPhotoItem(seen) && seen.albumId) {
        const album = this.albums.get(seen.albumId);
        if (album && album.photoCount > 0) album.photoCount -= 1;
      }
      this.items.set(imageId, {
        imageId,
        sequencer,
        sequencerOrder: sequencerOrder(sequencer),
        deletedAt: 'now',
        expiresAt: 1,
      });
      return true;
    },
  };

  objectsApi = {
    currentExists: async (_bucket: string, key: string) => this.objects.has(key),
    deleteEveryVersion: async (_bucket: string, key: string) => {
      this.steps.push(`delete ${key}`);
      return this.objects.delete(key) ? 1 : 0;
    },
  };

  albumsApi = {
    get: async (_userId: string, albumId: string) => this.albums.get(albumId),
    replaceCover: async (_userId: string, albumId: string, removed: string, next: AlbumCover | undefined) => {
      const album = this.albums.get(albumId);
      if (album?.cover?.imageId !== removed) return;
      this.steps.push(`cover ${next?.imageId ?? 'none'}`);
      if (next) album.cover = next;
      else delete album.cover;
    },
  };

  queries = {
    newestWithThumbnail: async (_userId: string, albumId: string, except: string) =>
      [...this.items.values()]
        .filter((item): item is ImageItem => isPhotoItem(item) && item.albumId === albumId && item.imageId !== except)
        .filter((item) => item.thumbnail !== undefined)
        .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))[0],
  };

  deps(): CascadeDependencies {
    return { photos: this.photos, objects: this.objectsApi, albums: this.albumsApi, queries: this.queries };
  }
}

const KEY = 'private/alice/uploads/holidays/a.jpg';
const upload = parseUploadKey(KEY);
const imageId = imageIdFor(KEY);
const photo = (sequencer: string, extra: Partial<ImageItem> = {}): ImageItem => ({
  imageId,
  bucket: 'photorepo',
  key: KEY,
  userId: 'alice',
  albumId: 'holidays',
  fileName: 'a.jpg',
  status: 'SUCCEEDED',
  sequencer,
  sequencerOrder: sequencerOrder(sequencer),
  uploadedAt: '2026-11-22T10:15:31.000Z',
  updatedAt: '2026-11-22T10:15:40.000Z',
  thumbnail: { key: 'private/alice/resized/holidays/a.jpg', width: 250, height: 188, format: 'JPEG', sizeBytes: 9 },
  ...extra,
});
const deleted = (sequencer: string): ObjectDeleted => ({
  bucket: 'photorepo',
  key: KEY,
  sequencer,
  eventTime: '2026-11-22T10:30:00Z',
});

describe('delete cascade', () => {
  let fakes: Fakes;
  beforeEach(() => {
    fakes = new Fakes();
    fakes.albums.set('holidays', {
      userId: 'alice',
      albumId: 'holidays',
      name: 'Holidays',
      createdAt: '2026',
      photoCount: 2,
      cover: { imageId, thumbnailKey: 'private/alice/resized/holidays/a.jpg', uploadedAt: '2026-11-22T10:15:31.000Z' },
    });
    fakes.objects.add('private/alice/resized/holidays/a.jpg');
  });
  const run = (sequencer: string) => cascadeDelete(deleted(sequencer), upload, fakes.deps(), new Date());

  it('removes the thumbnail and rendition first, then tombstones the item and counts the album down', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    const outcome = await run('0065A1B2C3D4E5F801');
    expect(outcome).to.deep.equal({
      key: KEY,
      outcome: 'deleted',
      removedKeys: ['private/alice/resized/holidays/a.jpg', 'private/alice/converted/holidays/a.jpg.jpg'],
    });
    expect(fakes.steps.slice(0, 4)).to.deep.equal([
      'read item',
      'delete private/alice/resized/holidays/a.jpg',
      'delete private/alice/converted/holidays/a.jpg.jpg',
      'tombstone',
    ]);
    expect(fakes.objects.size).to.equal(0);
    expect(fakes.albums.get('holidays')?.photoCount).to.equal(1);
    expect(fakes.items.get(imageId)).to.include({ sequencerOrder: sequencerOrder('0065A1B2C3D4E5F801') });
  });

  it('a duplicate delete event changes nothing: no S3 call, no count', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    await run('0065A1B2C3D4E5F801');
    fakes.steps.length = 0;
    fakes.objects.add('private/alice/resized/holidays/a.jpg');
    const again = await run('0065A1B2C3D4E5F801');
    expect(again).to.include({ outcome: 'duplicate' });
    expect(fakes.steps).to.deep.equal(['read item']);
    expect(fakes.objects.has('private/alice/resized/holidays/a.jpg')).to.equal(true);
    expect(fakes.albums.get('holidays')?.photoCount).to.equal(1);
  });

  it('an older delete never removes a newer upload of the same key (its item, thumbnail or count)', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F901'));
    expect(await run('0065A1B2C3D4E5F801')).to.include({ outcome: 'superseded' });
    expect(fakes.steps).to.deep.equal(['read item']);
    expect(fakes.items.get(imageId)).to.include({ status: 'SUCCEEDED' });
    expect(fakes.albums.get('holidays')?.photoCount).to.equal(2);
  });

  it('keeps everything when the key still has a current version (a noncurrent version or a re-upload was deleted)', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    fakes.objects.add(KEY);
    expect(await run('0065A1B2C3D4E5F801')).to.include({ outcome: 'kept' });
    expect(fakes.steps).to.deep.equal([]);
  });

  it('leaves a tombstone even when no item was recorded, so a late older upload event is stale', async () => {
    expect(await run('0065A1B2C3D4E5F801')).to.include({ outcome: 'tombstoned' });
    expect(fakes.items.get(imageId)).to.include({ sequencerOrder: sequencerOrder('0065A1B2C3D4E5F801') });
    expect(fakes.albums.get('holidays')?.photoCount, 'nothing was counted for it').to.equal(2);
  });

  it('reads again when the item changed between its read and the tombstone, and obeys what it finds', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    fakes.interleave = [photo('0065A1B2C3D4E5F901')];
    expect(await run('0065A1B2C3D4E5F801')).to.include({ outcome: 'superseded' });
    expect(fakes.steps.filter((step) => step === 'read item')).to.have.lengthOf(2);
    expect(fakes.steps).not.to.include('tombstone');
  });

  it('gives up with TransientError (so the event is retried) when the item never stops changing', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    fakes.interleave = Array.from({ length: 10 }, (_, n) => photo(`0065A1B2C3D4E5F6${String(n + 10)}`));
    const error = await run('0065A1B2C3D4E5F801').catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(TransientError);
  });

  it('moves the album cover to the newest other photo with a thumbnail, or removes it', async () => {
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F601'));
    const other = photo('0065A1B2C3D4E5F602', {
      imageId: 'other-image-id-0000000000000',
      uploadedAt: '2026-11-21T09:00:00Z',
      thumbnail: { key: 'private/alice/resized/holidays/b.jpg', width: 1, height: 1, format: 'JPEG', sizeBytes: 1 },
    });
    fakes.items.set(other.imageId, other);
    await run('0065A1B2C3D4E5F801');
    expect(fakes.albums.get('holidays')?.cover).to.deep.equal({
      imageId: other.imageId,
      thumbnailKey: 'private/alice/resized/holidays/b.jpg',
      uploadedAt: '2026-11-21T09:00:00.000Z',
    });
    fakes.albums.get('holidays')!.cover = { imageId, thumbnailKey: 'x', uploadedAt: 'y' };
    fakes.items.set(imageId, photo('0065A1B2C3D4E5F901'));
    fakes.items.delete(other.imageId);
    await run('0065A1B2C3D4E5FA01');
    expect(fakes.albums.get('holidays')).not.to.have.property('cover');
  });

  it('orders deletes against items by sequencer, and lists derived keys only in the owner folders', () => {
    expect(deletionVerdict(undefined, '01')).to.equal('delete');
    expect(deletionVerdict(photo('0065A1B2C3D4E5F601'), '0065A1B2C3D4E5F7')).to.equal('delete');
    expect(deletionVerdict(photo('0065A1B2C3D4E5F7'), '0065A1B2C3D4E5F601')).to.equal('superseded');
    expect(deletionVerdict(photo('0065A1B2C3D4E5F7'), '0065A1B2C3D4E5F700')).to.equal('duplicate');
    const recorded = photo('01', {
      thumbnail: { key: 'private/bob/resized/x.jpg', width: 1, height: 1, format: 'JPEG', sizeBytes: 1 },
    });
    recorded.rendition = {
      key: 'private/alice/converted/holidays/a.jpg.jpg',
      sizeBytes: 1,
      format: 'JPEG',
      width: 1,
      height: 1,
    };
    expect(derivedKeysOf(upload, recorded)).to.deep.equal([
      'private/alice/resized/holidays/a.jpg',
      'private/alice/converted/holidays/a.jpg.jpg',
    ]);
  });
});
