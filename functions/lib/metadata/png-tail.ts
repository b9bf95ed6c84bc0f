import { crc32 } from 'node:zlib';
import { u32be } from '../image-header/bytes';
import { MAX_METADATA_BLOCK_BYTES } from './embedded';

/** The chunks that may carry EXIF or XMP after the image data. */
const METADATA_TYPES = ['eXIf', 'iTXt', 'zTXt', 'tEXt'].map((type) => Uint8Array.from(type, (c) => c.charCodeAt(0)));
/** IEND never varies: zero length, its type, and the CRC of its type. */
const IEND = Uint8Array.of(0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82);
/** Real tails hold a handful of metadata chunks; the cap bounds the CRC work a tail of crafted look-alikes can cause. */
const MAX_CRC_CHECKS = 64;

export interface FoundChunk {
  type: string;
  data: Uint8Array;
}

/**
 * Metadata chunks in the last bytes of a PNG, whose chunk headers cannot be reached by walking without reading every
 * IDAT header on the way. Any 4-byte run spelling a metadata type is a candidate; it counts as a chunk when its length
 * ends it before IEND and its CRC-32 (over type and data, as PNG defines it) matches, which compressed image data
 * or text does by chance once in 2^32. Chunks come in file order; a match is skipped over, so text inside a chunk
 * is never taken for another chunk.
 */
export function metadataChunksIn(tail: Uint8Array): FoundChunk[] {
  const iend = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).lastIndexOf(IEND);
  const limit = iend >= 0 ? iend : tail.length;
  const chunks: FoundChunk[] = [];
  let checks = 0;
  for (let at = 0; at + 12 <= limit && checks < MAX_CRC_CHECKS; at += 1) {
    const type = METADATA_TYPES.find((candidate) => candidate.every((byte, i) => tail[at + 4 + i] === byte));
    if (!type) continue;
    const length = u32be(tail, at);
    if (length > MAX_METADATA_BLOCK_BYTES || at + 12 + length > limit) continue;
    checks += 1;
    if (crc32(tail.subarray(at + 4, at + 8 + length)) !== u32be(tail, at + 8 + length)) continue;
    chunks.push({ type: String.fromCharCode(...type), data: tail.subarray(at + 8, at + 8 + length) });
    at += 11 + length;
  }
  return chunks;
}
