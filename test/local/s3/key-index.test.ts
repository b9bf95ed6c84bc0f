import { expect } from 'chai';
import { compareKeys, KeyIndex } from '../../../local/s3/key-index';

function indexOf(keys: string[]): KeyIndex {
  const index = new KeyIndex();
  for (const key of keys) index.add(key);
  return index;
}

describe('the local S3 key index', () => {
  it("orders keys by UTF-8 bytes, as S3 lists them, not by JavaScript's UTF-16 units", () => {
    // U+FF5E (3 UTF-8 bytes) sorts before U+1F600 (4 bytes); as UTF-16, the emoji's high surrogate (D83D) comes first.
    const keys = ['😀', '～', 'a', 'A', 'a/', 'a+', 'é', ''].filter(Boolean);
    expect([...keys].sort(compareKeys)).to.deep.equal(['A', 'a', 'a+', 'a/', 'é', '～', '😀']);
    expect(indexOf(keys).list().keys).to.deep.equal(['A', 'a', 'a+', 'a/', 'é', '～', '😀']);
  });

  it('adds a key once and deletes it', () => {
    const index = indexOf(['b', 'a', 'b']);
    expect(index.size).to.equal(2);
    index.delete('a');
    index.delete('missing');
    expect(index.has('a')).to.equal(false);
    expect(index.list().keys).to.deep.equal(['b']);
  });

  it('lists under a prefix, rolls keys up into common prefixes at the delimiter and counts both toward maxKeys', () => {
    const index = indexOf(['p/a/1', 'p/a/2', 'p/b', 'p/c/1', 'p/d', 'q/x', 'o']);
    const first = index.list({ prefix: 'p/', delimiter: '/', maxKeys: 2 });
    expect(first).to.deep.include({ keys: ['p/b'], commonPrefixes: ['p/a/'], isTruncated: true, last: 'p/b' });
    const second = index.list({ prefix: 'p/', delimiter: '/', maxKeys: 2, startAfter: first.last });
    expect(second).to.deep.include({ keys: ['p/d'], commonPrefixes: ['p/c/'], isTruncated: false, last: 'p/d' });
  });

  it('skips the keys of a common prefix given as the marker, as S3 does with a NextMarker that is a prefix', () => {
    const index = indexOf(['a/1', 'a/2', 'b/1', 'c']);
    expect(index.list({ delimiter: '/', startAfter: 'a/' })).to.deep.include({
      keys: ['c'],
      commonPrefixes: ['b/'],
    });
  });

  it('starts after a marker that sorts before the prefix at the prefix, and after one inside it', () => {
    const index = indexOf(['a', 'b/1', 'b/2', 'b/3', 'c']);
    expect(index.list({ prefix: 'b/', startAfter: 'a' }).keys).to.deep.equal(['b/1', 'b/2', 'b/3']);
    expect(index.list({ prefix: 'b/', startAfter: 'b/1' }).keys).to.deep.equal(['b/2', 'b/3']);
    expect(index.list({ prefix: 'b/', startAfter: 'b/3' }).keys).to.deep.equal([]);
  });

  it('pages through many keys without losing or repeating one', () => {
    const keys = Array.from({ length: 250 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
    const index = indexOf([...keys].reverse());
    const seen: string[] = [];
    let startAfter = '';
    for (;;) {
      const page = index.list({ startAfter, maxKeys: 100 });
      seen.push(...page.keys);
      if (!page.isTruncated) break;
      startAfter = page.last as string;
    }
    expect(seen).to.deep.equal(keys);
  });
});
