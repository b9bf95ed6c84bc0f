import { expect } from 'chai';
import type { Photo } from '../../web/src/api/types';
import { appendPage, mergeFirstPage, needsPolling } from '../../web/src/photo-list';

function photo(imageId: string, uploadedAt: string, status: Photo['status'] = 'SUCCEEDED', updatedAt = uploadedAt) {
  return { imageId, fileName: `${imageId}.jpg`, status, uploadedAt, updatedAt } as Photo;
}

describe('album photo list', () => {
  it('polls while a photo is processing or an upload is not recorded yet', () => {
    const done = [photo('a', '2026-01-01'), photo('b', '2026-01-02', 'UNSUPPORTED')];
    expect(needsPolling(done, new Set())).to.equal(false);
    expect(needsPolling(done, new Set(['c']))).to.equal(true);
    expect(needsPolling([...done, photo('c', '2026-01-03', 'PROCESSING')], new Set())).to.equal(true);
  });

  it('adds new photos newest first and keeps the objects of photos whose state did not change', () => {
    const a = photo('a', '2026-01-01T00:00:01Z');
    const b = photo('b', '2026-01-01T00:00:02Z', 'PROCESSING');
    const fresh = {
      photos: [
        photo('c', '2026-01-01T00:00:03Z', 'PROCESSING'),
        { ...b, status: 'SUCCEEDED' as const, updatedAt: 'later' },
        { ...a, thumbnailUrl: 'https://new-signature' },
      ],
    };
    const merged = mergeFirstPage([b, a], fresh);
    expect(merged.changed).to.equal(true);
    expect(merged.photos.map((p) => [p.imageId, p.status])).to.deep.equal([
      ['c', 'PROCESSING'],
      ['b', 'SUCCEEDED'],
      ['a', 'SUCCEEDED'],
    ]);
    // a did not change: same object, so its image (and presigned URL) is not reloaded.
    expect(merged.photos[2]).to.equal(a);
  });

  it('reports no change when a re-read holds the same states', () => {
    const list = [photo('b', '2026-01-02', 'PROCESSING'), photo('a', '2026-01-01')];
    const merged = mergeFirstPage(list, { photos: list.map((p) => ({ ...p })) });
    expect(merged.changed).to.equal(false);
  });

  it('drops photos the first page no longer holds, and keeps older pages loaded through next', () => {
    const list = [
      photo('d', '2026-01-04'),
      photo('c', '2026-01-03'),
      photo('b', '2026-01-02'),
      photo('a', '2026-01-01'),
    ];
    // c was deleted; the first page now ends at b; a came from a further page.
    const merged = mergeFirstPage(list, { photos: [photo('d', '2026-01-04'), photo('b', '2026-01-02')], next: 'n' });
    expect(merged.photos.map((p) => p.imageId)).to.deep.equal(['d', 'b', 'a']);
    expect(merged.changed).to.equal(true);
    // A complete first page (no next) is the whole list.
    const complete = mergeFirstPage(list, { photos: [photo('d', '2026-01-04')] });
    expect(complete.photos.map((p) => p.imageId)).to.deep.equal(['d']);
  });

  it('appends a further page without repeating photos', () => {
    const list = [photo('b', '2026-01-02'), photo('a', '2026-01-01')];
    const more = appendPage(list, { photos: [photo('a', '2026-01-01'), photo('z', '2025-12-31')] });
    expect(more.map((p) => p.imageId)).to.deep.equal(['b', 'a', 'z']);
  });
});
