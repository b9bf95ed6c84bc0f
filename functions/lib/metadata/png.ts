import { CorruptImage } from '../errors';
import { CHUNK_OVERHEAD, IHDR_END, readChunkHeader, readIhdr } from '../image-header/png';
import type { ByteWalker } from './byte-walker';
import { MAX_METADATA_BLOCK_BYTES, type EmbeddedMetadata, type PixelSize } from './embedded';
import { metadataChunksIn } from './png-tail';
import { carriesMetadata, decodeTextChunk, KEYWORD_PROBE_BYTES, keywordOf, TEXT_CHUNK_TYPES } from './png-text';
import { holds, readWindow, slice, type Window } from './window';

const MAX_CHUNK_LENGTH = 0x7fffffff;
/** Offsets only grow, so the walk ends anyway; this caps the work a window of crafted empty chunks can cause. */
const MAX_CHUNKS = 100_000;
/** How far past the chunk it needs the one extra read before the image data reaches. */
const READ_AHEAD_BYTES = 128 * 1024;
/** The tail searched for metadata after the image data: EXIF copied from a JPEG fits, since APP1 holds 64 KiB. */
const TAIL_WINDOW_BYTES = 64 * 1024;

interface ChunkWalk {
  found: EmbeddedMetadata;
  /** Where the walk stopped: everything before it was read chunk by chunk. */
  stoppedAt: number;
  reachedEnd: boolean;
}

/**
 * Dimensions from IHDR, then EXIF (eXIf) and XMP (iTXt, or ImageMagick raw profiles in tEXt/zTXt) in at most two more
 * reads. Chunks are walked from IHDR through everything the first window holds, with one more read if the chunks
 * before the image data run past it. Metadata may legally follow the image data, between the last IDAT and IEND,
 * where only walking every IDAT header would reach it chunk by chunk: the last 64 KiB are read instead and searched
 * for metadata chunks whose CRC matches.
 *
 * The first block of each kind in file order wins, so one before IDAT beats one after it: it is found by an exact
 * walk where the tail is a search, and exiftool decides the same way (it reports the first eXIf and ignores the
 * second one's IFD0, warning that metadata after IDAT may be ignored by some readers).
 */
export function* walkPng(head: Window, sizeBytes: number): ByteWalker<PixelSize & EmbeddedMetadata> {
  const header = slice(head, 0, IHDR_END);
  if (header.length < IHDR_END) {
    throw new CorruptImage(`PNG is truncated at byte ${header.length}, before the end of its IHDR chunk`);
  }
  const ihdr = readIhdr(header);
  if (!ihdr) throw new CorruptImage('PNG does not start with a 13-byte IHDR chunk');
  const { width, height } = ihdr;
  if (width === 0 || height === 0 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
    throw new CorruptImage(`PNG IHDR declares ${width}x${height} pixels`);
  }
  const { found, stoppedAt, reachedEnd } = yield* walkChunks(head, sizeBytes);
  const tailStart = Math.max(stoppedAt, sizeBytes - TAIL_WINDOW_BYTES);
  if (!reachedEnd && !isComplete(found) && tailStart < sizeBytes) {
    const tail = yield* readWindow(tailStart, sizeBytes - tailStart);
    for (const { type, data } of metadataChunksIn(tail.bytes)) keepFirst(found, metadataOf(type, data));
  }
  return { width, height, ...withoutEmpty(found) };
}

/**
 * Walks chunks the window holds. Before the first IDAT, a chunk header or a metadata chunk it lacks costs one more
 * read, once; after it, only a metadata chunk it lacks does (the IDAT run can be megabytes: the tail search is for
 * what follows it). A malformed chunk ends the walk, keeping what was found: the dimensions are already known.
 */
function* walkChunks(head: Window, sizeBytes: number): ByteWalker<ChunkWalk> {
  const found: EmbeddedMetadata = {};
  let window = head;
  let extraRead = false;
  let inImageData = false;
  let at = IHDR_END;
  const stop = (reachedEnd = false): ChunkWalk => ({ found, stoppedAt: at, reachedEnd });
  for (let count = 0; count < MAX_CHUNKS && !isComplete(found); count += 1) {
    if (!holds(window, at, 8)) {
      if (extraRead || inImageData) return stop();
      window = yield* readWindow(at, 8 + READ_AHEAD_BYTES);
      extraRead = true;
      if (!holds(window, at, 8)) return stop();
    }
    const { length, type } = readChunkHeader(slice(window, at, 8), 0);
    const next = at + CHUNK_OVERHEAD + length;
    if (type === 'IEND') return stop(true);
    if (length > MAX_CHUNK_LENGTH || next > sizeBytes) return stop();
    if (type === 'IDAT') inImageData = true;
    if (mayCarryMetadata(type, length, window, at, found)) {
      if (!holds(window, at + 8, length)) {
        if (extraRead) return stop();
        window = yield* readWindow(at, next + READ_AHEAD_BYTES - at);
        extraRead = true;
        if (!holds(window, at + 8, length)) return stop();
      }
      keepFirst(found, metadataOf(type, slice(window, at + 8, length)));
    }
    at = next;
  }
  return stop();
}

/** The first eXIf, or a text chunk whose keyword names XMP or a raw profile, or whose keyword is not in hand to tell. */
function mayCarryMetadata(type: string, length: number, window: Window, at: number, found: EmbeddedMetadata): boolean {
  if (length > MAX_METADATA_BLOCK_BYTES) return false;
  if (type === 'eXIf') return found.tiff === undefined;
  if (!TEXT_CHUNK_TYPES.has(type)) return false;
  const probeBytes = Math.min(length, KEYWORD_PROBE_BYTES);
  return !holds(window, at + 8, probeBytes) || carriesMetadata(keywordOf(slice(window, at + 8, probeBytes)));
}

function metadataOf(type: string, data: Uint8Array): EmbeddedMetadata {
  return type === 'eXIf' ? { tiff: data } : decodeTextChunk(type, data);
}

function keepFirst(found: EmbeddedMetadata, more: EmbeddedMetadata): void {
  found.tiff ??= more.tiff;
  found.xmp ??= more.xmp;
}

const isComplete = (found: EmbeddedMetadata): boolean => found.tiff !== undefined && found.xmp !== undefined;

function withoutEmpty(found: EmbeddedMetadata): EmbeddedMetadata {
  return { ...(found.tiff ? { tiff: found.tiff } : {}), ...(found.xmp ? { xmp: found.xmp } : {}) };
}
