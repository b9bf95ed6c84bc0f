import { expect } from 'chai';
import { ALBUM_KEY_SEPARATOR, albumKeyOf } from '../../../functions/lib/image-item';
import { parseUploadKey } from '../../../functions/lib/upload-key';

/** The ByAlbum index's partition key must tell every (user, album) pair apart, whatever the ids hold. */
describe('albumKeyOf (the album index key)', () => {
  it('is {userId}/{albumId}, and none for a photo outside any album', () => {
    expect(albumKeyOf('alice', 'holidays')).to.equal('alice/holidays');
    expect(albumKeyOf('alice', undefined)).to.equal(undefined);
  });

  it('ids with "#" (keys from the CLI may hold one) no longer collide', () => {
    expect(albumKeyOf('a#b', 'c')).to.not.equal(albumKeyOf('a', 'b#c'));
  });

  it('is one-to-one over every (user, album) pair the key grammar can give', () => {
    // Segments with every separator a key may carry; the grammar splits on "/", so no segment holds one.
    const segments = ['a', 'b', 'a#b', 'b#c', 'c', '#', '##', 'a b', 'a+b', 'a%2Fb', 'é', '日本', 'a:b', 'x.y'];
    const seen = new Map<string, string>();
    for (const user of segments) {
      for (const album of segments) {
        const upload = parseUploadKey(`private/${user}/uploads/${album}/photo.jpg`);
        expect(upload.userId + (upload.albumId ?? '')).to.not.include(ALBUM_KEY_SEPARATOR);
        const key = albumKeyOf(upload.userId, upload.albumId) as string;
        const pair = JSON.stringify([upload.userId, upload.albumId]);
        expect(seen.get(key) ?? pair, `${key} names two pairs`).to.equal(pair);
        seen.set(key, pair);
      }
    }
    expect(seen.size).to.equal(segments.length ** 2);
  });
});
