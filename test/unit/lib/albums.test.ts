import { expect } from 'chai';
import {
  albumNameForFolder,
  albumViewWithCover,
  coverOf,
  newAlbum,
  newestFirst,
  requireEmpty,
  type AlbumRecord,
} from '../../../functions/lib/albums';
import { AlbumNotEmpty } from '../../../functions/lib/api-errors';
import type { Presigner } from '../../../functions/lib/photos';

describe('albums', () => {
  const album = (albumId: string, createdAt: string, extra: Partial<AlbumRecord> = {}): AlbumRecord => ({
    userId: 'alice',
    albumId,
    name: albumId,
    createdAt,
    photoCount: 0,
    ...extra,
  });
  const urls: Presigner = {
    getUrl: async (bucket, key, expiresIn) => `https://${bucket}.example/${key}?expires=${expiresIn}`,
    post: async () => {
      throw new Error('not used');
    },
  };

  it('makes URL-safe, distinct ids for new albums, empty and dated', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newAlbum('alice', 'A', new Date(0)).albumId));
    expect(ids.size).to.equal(200);
    for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_-]{16}$/);
    expect(newAlbum('alice', 'A', new Date('2026-11-22T10:00:00Z'))).to.deep.include({
      userId: 'alice',
      name: 'A',
      createdAt: '2026-11-22T10:00:00.000Z',
      photoCount: 0,
    });
  });

  it('names a folder album after its folder, within the name rules', () => {
    expect(albumNameForFolder('holidays')).to.equal('holidays');
    expect(albumNameForFolder(' été\t2026 ')).to.equal('été 2026');
    expect(albumNameForFolder('x'.repeat(300))).to.have.lengthOf(100);
    expect(albumNameForFolder('\u0001\u0002')).to.equal('Album');
  });

  it('lists newest first, ties by id', () => {
    const sorted = newestFirst([
      album('b', '2026-01-01T00:00:00.000Z'),
      album('c', '2026-03-01T00:00:00.000Z'),
      album('a', '2026-01-01T00:00:00.000Z'),
    ]);
    expect(sorted.map((a) => a.albumId)).to.deep.equal(['c', 'a', 'b']);
  });

  it('gives a cover URL only for a thumbnail in the owner folder', async () => {
    const cover = coverOf('img', 'private/alice/resized/x/a.jpg', '2026-11-22T10:15:30Z');
    expect(cover.uploadedAt).to.equal('2026-11-22T10:15:30.000Z');
    const view = await albumViewWithCover(album('x', '2026', { photoCount: 2, cover }), urls, 'photorepo');
    expect(view).to.deep.equal({
      albumId: 'x',
      name: 'x',
      createdAt: '2026',
      photoCount: 2,
      coverUrl: 'https://photorepo.example/private/alice/resized/x/a.jpg?expires=900',
    });
    const foreign = { ...cover, thumbnailKey: 'private/bob/resized/x/a.jpg' };
    expect(await albumViewWithCover(album('x', '2026', { cover: foreign }), urls, 'photorepo')).not.to.have.property(
      'coverUrl',
    );
  });

  it('refuses to delete an album that still holds photos (409), never empties it', () => {
    expect(requireEmpty({ outcome: 'deleted' })).to.equal('deleted');
    expect(requireEmpty({ outcome: 'missing' })).to.equal('missing');
    expect(() => requireEmpty({ outcome: 'not-empty', photoCount: 3 }))
      .to.throw(AlbumNotEmpty, /3 photo/)
      .with.property('status', 409);
  });
});
