import { CorruptImage } from '../errors';
import type { ByteWalker } from './byte-walker';
import { latin1, u32be } from './bytes';
import { MAX_METADATA_BLOCK_BYTES, type EmbeddedMetadata, type PixelSize } from './embedded';
import { carriesMetadata, decodeTextChunk, KEYWORD_PROBE_BYTES, keywordOf, TEXT_CHUNK_TYPES } from './png-text';

const SIGNATURE_BYTES = 8;
const CHUNK_OVERHEAD = 12; // length, type, CRC
const IHDR_END = SIGNATURE_BYTES + CHUNK_OVERHEAD + 13;
const MAX_CHUNK_LENGTH = 0x7fffffff;
/** Offsets only grow, so the walk ends anyway; this caps the reads a crafted file of tiny chunks can cause. */
const MAX_CHUNKS = 100_000;

/**
 * Dimensions from IHDR, then EXIF (eXIf) and XMP (iTXt, or ImageMagick raw profiles in tEXt/zTXt) from a walk of
 * chunk headers that skips chunk data, IDAT included: eXIf may legally follow the image data.
 */
export function* walkPng(sizeBytes: number): ByteWalker<PixelSize & EmbeddedMetadata> {
  const head = yield { start: 0, length: IHDR_END };
  if (head.length < IHDR_END) {
    throw new CorruptImage(`PNG is truncated at byte ${head.length}, before the end of its IHDR chunk`);
  }
  if (latin1(head, 12, 4) !== 'IHDR' || u32be(head, 8) !== 13) {
    throw new CorruptImage('PNG does not start with a 13-byte IHDR chunk');
  }
  const width = u32be(head, 16);
  const height = u32be(head, 20);
  if (width === 0 || height === 0 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
    throw new CorruptImage(`PNG IHDR declares ${width}x${height} pixels`);
  }
  return { width, height, ...(yield* walkChunks(IHDR_END, sizeBytes)) };
}

/** A malformed chunk ends the walk, keeping what was found: the dimensions are already known. */
function* walkChunks(start: number, sizeBytes: number): ByteWalker<EmbeddedMetadata> {
  const found: EmbeddedMetadata = {};
  let at = start;
  for (let count = 0; count < MAX_CHUNKS && !(found.tiff && found.xmp); count += 1) {
    const header = yield { start: at, length: 8 };
    if (header.length < 8) break;
    const length = u32be(header, 0);
    const type = latin1(header, 4, 4);
    const next = at + CHUNK_OVERHEAD + length;
    if (type === 'IEND' || length > MAX_CHUNK_LENGTH || next > sizeBytes) break;
    if (length <= MAX_METADATA_BLOCK_BYTES) {
      if (type === 'eXIf' && !found.tiff) {
        found.tiff = yield { start: at + 8, length };
      } else if (TEXT_CHUNK_TYPES.has(type)) {
        const probe = yield { start: at + 8, length: Math.min(length, KEYWORD_PROBE_BYTES) };
        if (carriesMetadata(keywordOf(probe))) {
          const decoded = decodeTextChunk(type, yield { start: at + 8, length });
          found.tiff ??= decoded.tiff;
          found.xmp ??= decoded.xmp;
        }
      }
    }
    at = next;
  }
  return withoutEmpty(found);
}

function withoutEmpty(found: EmbeddedMetadata): EmbeddedMetadata {
  return { ...(found.tiff ? { tiff: found.tiff } : {}), ...(found.xmp ? { xmp: found.xmp } : {}) };
}
