import { concat } from '../image-header/bytes';
import type { ByteRequest, ByteWalker } from './byte-walker';

export type ReadRange = (start: number, endExclusive: number) => Promise<Uint8Array>;

const RECENT_PIECES = 4;

interface Piece {
  start: number;
  bytes: Uint8Array;
}

/**
 * Serves a walker's requests from ranged reads, fetching only bytes no earlier read holds, and counts the bytes and
 * the requests (on S3 the requests are what costs time). A read that returns fewer bytes than asked is taken as the
 * end of the object.
 */
export class RangeReader {
  private readonly pieces: Piece[] = [];
  private fetched = 0;
  private fetches = 0;

  constructor(
    private readonly read: ReadRange,
    private readonly sizeBytes: number,
  ) {}

  get bytesRead(): number {
    return this.fetched;
  }

  get requests(): number {
    return this.fetches;
  }

  async bytes({ start, length }: ByteRequest): Promise<Uint8Array> {
    const from = Math.max(0, start);
    const to = Math.min(this.sizeBytes, from + Math.max(0, length));
    if (to <= from) return new Uint8Array(0);
    const cached = this.pieces.find((piece) => piece.start <= from && from < piece.start + piece.bytes.length);
    if (!cached) return this.fetch(from, to);
    const cachedEnd = cached.start + cached.bytes.length;
    const head = cached.bytes.subarray(from - cached.start, to - cached.start);
    if (cachedEnd >= to || cachedEnd >= this.sizeBytes) return head;
    return concat([head, await this.fetch(cachedEnd, to)]);
  }

  private async fetch(start: number, endExclusive: number): Promise<Uint8Array> {
    this.fetches += 1;
    const bytes = (await this.read(start, endExclusive)).subarray(0, endExclusive - start);
    this.fetched += bytes.length;
    if (bytes.length > 0) this.pieces.push({ start, bytes });
    // Walkers read forward: the first window and the latest few reads are all a later request can reuse.
    if (this.pieces.length > RECENT_PIECES + 1) this.pieces.splice(1, 1);
    return bytes;
  }
}

export async function runOnReader<T>(walker: ByteWalker<T>, reader: RangeReader): Promise<T> {
  let step = walker.next();
  while (!step.done) step = walker.next(await reader.bytes(step.value));
  return step.value;
}
