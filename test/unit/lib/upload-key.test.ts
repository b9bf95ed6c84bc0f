import { expect } from 'chai';
import { InvalidUploadKey } from '../../../functions/lib/errors';
import {
  convertedKeyFor,
  decodeEventKey,
  imageIdFor,
  parseUploadKey,
  thumbnailKeyFor,
  tryParseUploadKey,
  uploadKeyOf,
} from '../../../functions/lib/upload-key';

const USER = 'us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11';

describe('upload-key', () => {
  describe('decodeEventKey: once, at the edge', () => {
    const cases: [string, string, 's3-notification' | 'eventbridge', string][] = [
      [
        'a space in a notification is +',
        'private/u/uploads/my+photo.jpg',
        's3-notification',
        'private/u/uploads/my photo.jpg',
      ],
      [
        'a plus in a notification is %2B',
        'private/u/uploads/1%2B1.jpg',
        's3-notification',
        'private/u/uploads/1+1.jpg',
      ],
      ['a percent sign is %25', 'private/u/uploads/100%25.jpg', 's3-notification', 'private/u/uploads/100%.jpg'],
      [
        'unicode is UTF-8 percent-encoded',
        'private/u/uploads/%C3%A9t%C3%A9/%E5%86%99%E7%9C%9F.jpg',
        's3-notification',
        'private/u/uploads/été/写真.jpg',
      ],
      [
        'a Cognito user id arrives with %3A',
        `private/${encodeURIComponent(USER)}/uploads/x.jpg`,
        's3-notification',
        `private/${USER}/uploads/x.jpg`,
      ],
      [
        'EventBridge keeps a literal +',
        'private/u/uploads/my%20photo+1.jpg',
        'eventbridge',
        'private/u/uploads/my photo+1.jpg',
      ],
      [
        'EventBridge decodes %-escapes and unicode',
        'private/u/uploads/%C3%A9t%C3%A9%202026/(100%25).jpg',
        'eventbridge',
        'private/u/uploads/été 2026/(100%).jpg',
      ],
      [
        'a key that is not valid percent-encoding is taken as given',
        'private/u/uploads/100%.jpg',
        'eventbridge',
        'private/u/uploads/100%.jpg',
      ],
      [
        '... after the notification + rule',
        'private/u/uploads/50%+off.jpg',
        's3-notification',
        'private/u/uploads/50% off.jpg',
      ],
    ];
    for (const [name, raw, encoding, decoded] of cases) {
      it(name, () => expect(decodeEventKey(raw, encoding)).to.equal(decoded));
    }

    it('decoding twice would be wrong: a decoded key with a literal % or + is not decoded again by parseUploadKey', () => {
      const key = `private/${USER}/uploads/50%2B off.jpg`;
      expect(parseUploadKey(key).fileName).to.equal('50%2B off.jpg');
    });
  });

  describe('parseUploadKey', () => {
    it('reads user, optional album and file name', () => {
      expect(parseUploadKey(`private/${USER}/uploads/holidays/my photo+1 (100%).jpg`)).to.deep.equal({
        key: `private/${USER}/uploads/holidays/my photo+1 (100%).jpg`,
        userId: USER,
        albumId: 'holidays',
        fileName: 'my photo+1 (100%).jpg',
      });
      expect(parseUploadKey(`private/${USER}/uploads/été.png`)).to.deep.equal({
        key: `private/${USER}/uploads/été.png`,
        userId: USER,
        fileName: 'été.png',
      });
    });

    const invalid: [string, string, RegExp][] = [
      ['a thumbnail', `private/${USER}/resized/holidays/a.jpg`, /expected private\/\{userId\}\/uploads/],
      ['a public key', `public/${USER}/uploads/a.jpg`, /expected private/],
      ['an empty user id', 'private//uploads/a.jpg', /empty user id/],
      ['a folder placeholder', `private/${USER}/uploads/holidays/`, /no file name/],
      ['the uploads folder itself', `private/${USER}/uploads/`, /no file name/],
      ['two album levels', `private/${USER}/uploads/a/b/c.jpg`, /at most one album/],
      ['an empty album', `private/${USER}/uploads//c.jpg`, /empty album/],
      ['a .. segment', `private/${USER}/uploads/../c.jpg`, /empty album/],
      ['a . file name', `private/${USER}/uploads/.`, /no file name/],
      [
        'a key over 1024 bytes (counted in UTF-8)',
        `private/${USER}/uploads/${'é'.repeat(500)}.jpg`,
        /longer than 1024 bytes/,
      ],
    ];
    for (const [name, key, message] of invalid) {
      it(`refuses ${name} with InvalidUploadKey`, () => {
        expect(() => parseUploadKey(key)).to.throw(InvalidUploadKey, message);
        expect(tryParseUploadKey(key)).to.equal(undefined);
      });
    }

    it('accepts a key of exactly 1024 bytes', () => {
      const prefix = `private/${USER}/uploads/`;
      const key = prefix + 'a'.repeat(1024 - prefix.length);
      expect(Buffer.byteLength(key)).to.equal(1024);
      expect(tryParseUploadKey(key)?.fileName).to.have.lengthOf(1024 - prefix.length);
    });
  });

  it('puts the thumbnail under resized/ with the same user, album and file name, and builds upload keys back', () => {
    const upload = parseUploadKey(`private/${USER}/uploads/holidays/a b.jpg`);
    expect(thumbnailKeyFor(upload)).to.equal(`private/${USER}/resized/holidays/a b.jpg`);
    expect(thumbnailKeyFor(parseUploadKey(`private/${USER}/uploads/a.png`))).to.equal(`private/${USER}/resized/a.png`);
    expect(uploadKeyOf({ userId: USER, albumId: 'holidays', fileName: 'a b.jpg' })).to.equal(upload.key);
    expect(tryParseUploadKey(thumbnailKeyFor(upload)), 'a thumbnail can never start a workflow').to.equal(undefined);
  });

  it('puts the JPEG rendition under converted/, ".jpg" added to the whole file name, never a workflow start', () => {
    const upload = parseUploadKey(`private/${USER}/uploads/holidays/IMG 1.HEIC`);
    expect(convertedKeyFor(upload)).to.equal(`private/${USER}/converted/holidays/IMG 1.HEIC.jpg`);
    expect(convertedKeyFor(parseUploadKey(`private/${USER}/uploads/a.webp`))).to.equal(
      `private/${USER}/converted/a.webp.jpg`,
    );
    // Even in an album named "uploads", which the EventBridge rule's wildcard private/*/uploads/* matches.
    const inUploadsAlbum = convertedKeyFor(parseUploadKey(`private/${USER}/uploads/uploads/a.heic`));
    expect(inUploadsAlbum).to.equal(`private/${USER}/converted/uploads/a.heic.jpg`);
    expect(tryParseUploadKey(inUploadsAlbum)).to.equal(undefined);
  });

  it('derives imageId from the key alone: stable, 27 URL-safe characters, different per key', () => {
    const key = `private/${USER}/uploads/holidays/nikon-p6000_landscape_gps.jpg`;
    expect(imageIdFor(key)).to.equal('oO7CT_rKqprox-c7Ne_j8JVDuaF');
    expect(imageIdFor(key)).to.match(/^[A-Za-z0-9_-]{27}$/);
    expect(imageIdFor(`${key} `)).to.not.equal(imageIdFor(key));
    expect(imageIdFor(key.normalize('NFD'))).to.equal(imageIdFor(key), 'ASCII keys are unaffected by normalization');
  });
});
