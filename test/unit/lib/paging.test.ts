import { expect } from 'chai';
import { BadRequest } from '../../../functions/lib/api-errors';
import { decodePageToken, encodePageToken } from '../../../functions/lib/paging';
import { imageIdFor } from '../../../functions/lib/upload-key';

describe('paging tokens', () => {
  const cursor = { imageId: imageIdFor('private/alice/uploads/a.jpg'), uploadedAt: '2026-11-22T10:15:31.000Z' };
  const alice = { userId: 'alice' };
  const aliceAlbum = { userId: 'alice', albumId: 'holidays' };

  it('round-trips the position, in URL-safe characters', () => {
    const token = encodePageToken(alice, cursor);
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(alice, token)).to.deep.equal(cursor);
    expect(decodePageToken(aliceAlbum, encodePageToken(aliceAlbum, cursor))).to.deep.equal(cursor);
  });

  it('carries no user id and no album id: the partition always comes from the caller', () => {
    const decoded = Buffer.from(encodePageToken(aliceAlbum, cursor), 'base64url').toString('utf8');
    expect(decoded).not.to.include('alice');
    expect(decoded).not.to.include('holidays');
  });

  it('decodes the same token for another user to the same position only (no partition to steal)', () => {
    expect(decodePageToken({ userId: 'bob' }, encodePageToken(alice, cursor))).to.deep.equal(cursor);
  });

  it('refuses a token of another listing (all photos vs an album, one album vs another)', () => {
    expect(() => decodePageToken(aliceAlbum, encodePageToken(alice, cursor))).to.throw(BadRequest, /another listing/);
    expect(() => decodePageToken({ userId: 'alice', albumId: 'x' }, encodePageToken(aliceAlbum, cursor))).to.throw(
      BadRequest,
    );
  });

  it('refuses garbage with 400: not base64url, not JSON, wrong shape, extra fields, bad values', () => {
    const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const good = JSON.parse(Buffer.from(encodePageToken(alice, cursor), 'base64url').toString('utf8'));
    const garbage = [
      '',
      'not a token!',
      '%%%',
      'x'.repeat(600),
      Buffer.from('{not json').toString('base64url'),
      forge(null),
      forge([1]),
      forge({ ...good, v: 2 }),
      forge({ ...good, i: 'short' }),
      forge({ ...good, t: 'yesterday' }),
      forge({ ...good, userId: 'bob' }),
      forge({ ...good, ExclusiveStartKey: { userId: 'bob' } }),
    ];
    for (const token of garbage) expect(() => decodePageToken(alice, token), token).to.throw(BadRequest, /"next"/);
  });
});
