/**
 * The keys of one bucket in S3's listing order (UTF-8 bytes, which is code point order), and S3's listing over them:
 * keys after a marker, under a prefix, rolled up into common prefixes at a delimiter, at most maxKeys results where a
 * key and a common prefix count one each. The store keeps objects under hashed file names, so this index is what
 * knows the keys; it is loaded from the objects' metadata files when the stack starts.
 */
export interface ListQuery {
  prefix?: string;
  delimiter?: string;
  /** Results start after this key (a marker, StartAfter or a continuation token's key). */
  startAfter?: string;
  maxKeys?: number;
}

export interface ListPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

/** S3's order: by UTF-8 bytes, i.e. by code point (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}

export class KeyIndex {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    const at = this.firstNotBefore(key);
    return this.keys[at] === key;
  }

  add(key: string): void {
    const at = this.firstNotBefore(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.firstNotBefore(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  list(query: ListQuery = {}): ListPage {
    const { prefix = '', delimiter = '', startAfter = '' } = query;
    const maxKeys = query.maxKeys ?? 1000;
    const page: ListPage = { keys: [], commonPrefixes: [], isTruncated: false };
    let at = compareKeys(startAfter, prefix) >= 0 ? this.firstAfter(startAfter, false) : this.firstAfter(prefix, true);
    while (at < this.keys.length) {
      const key = this.keys[at] as string;
      if (!key.startsWith(prefix)) break;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut < 0 ? key : key.slice(0, cut + delimiter.length);
      // A marker inside a common prefix (the prefix itself, returned as the last page's end) skips that prefix.
      const skip = cut >= 0 && startAfter.startsWith(entry);
      if (!skip) {
        if (page.keys.length + page.commonPrefixes.length >= maxKeys) {
          page.isTruncated = true;
          break;
        }
        (cut < 0 ? page.keys : page.commonPrefixes).push(entry);
        page.last = entry;
      }
      at = cut < 0 ? at + 1 : this.firstOutside(entry, at);
    }
    return page;
  }

  /** The first position whose key is not before `key`. */
  private firstNotBefore(key: string): number {
    return this.search((candidate) => compareKeys(candidate, key) < 0);
  }

  /** The first position after `from` (or at `from` when `inclusive`). */
  private firstAfter(from: string, inclusive: boolean): number {
    return this.search((candidate) => {
      const order = compareKeys(candidate, from);
      return inclusive ? order < 0 : order <= 0;
    });
  }

  /** The first position from `start` on whose key does not start with `prefix` (such keys are contiguous). */
  private firstOutside(prefix: string, start: number): number {
    return this.search((candidate) => candidate.startsWith(prefix) || compareKeys(candidate, prefix) < 0, start);
  }

  /** The first position where `before` turns false; `before` must be true then false along the sorted keys. */
  private search(before: (candidate: string) => boolean, low = 0): number {
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.keys[middle] as string)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
