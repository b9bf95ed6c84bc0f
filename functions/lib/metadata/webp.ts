import type { ByteWalker } from './byte-walker';
import { latin1, startsWith, u16le, u24le, u32le } from '../image-header/bytes';
import { MAX_METADATA_BLOCK_BYTES, type EmbeddedMetadata, type PixelSize } from './embedded';
import { FIRST_WINDOW_BYTES, holds, readWindow, slice, type Window } from './window';

/**
 * A WebP file is a RIFF list of chunks: VP8X (extended: canvas size and flags), then the picture (VP8 lossy, VP8L
 * lossless, or ANIM/ANMF frames), and EXIF and XMP chunks after the picture data. The
 * walk jumps from chunk header to chunk header by their sizes, so the picture data, however large, is never read.
 */
export interface WebpLayout extends EmbeddedMetadata {
  size?: PixelSize;
  /** VP8X says so: several frames (ANIM/ANMF); the still decoder reads none of them. */
  animated: boolean;
}

const RIFF_HEADER_BYTES = 12;
/** Real files have a handful of chunks; a crafted one of thousands of empty chunks stops here. */
const MAX_CHUNKS = 1024;
/** Reads after the first window: one to reach the chunks after the picture, one more for a metadata chunk it cut. */
const MAX_EXTRA_READS = 3;

const VP8X_ANIMATION = 0x02;

export function* walkWebp(head: Window, sizeBytes: number): ByteWalker<WebpLayout> {
  const layout: WebpLayout = { animated: false };
  // RIFF's own size bounds the chunks, unless it is nonsense (0, or past the end of the file).
  const riffEnd = head.bytes.length >= 8 ? 8 + u32le(head.bytes, 4) : 0;
  const end = riffEnd > RIFF_HEADER_BYTES && riffEnd <= sizeBytes ? riffEnd : sizeBytes;
  let window = head;
  let extraReads = 0;
  let at = RIFF_HEADER_BYTES;
  for (let count = 0; count < MAX_CHUNKS && at + 8 <= end; count += 1) {
    if (!holds(window, at, 8)) {
      if (extraReads === MAX_EXTRA_READS) break;
      extraReads += 1;
      window = yield* readWindow(at, FIRST_WINDOW_BYTES);
      if (!holds(window, at, 8)) break;
    }
    const header = slice(window, at, 8);
    const type = latin1(header, 0, 4);
    const length = u32le(header, 4);
    const wanted = chunkBytesWanted(type, length, layout);
    if (wanted > 0 && !holds(window, at + 8, wanted)) {
      if (extraReads === MAX_EXTRA_READS) break;
      extraReads += 1;
      window = yield* readWindow(at, 8 + Math.max(wanted, FIRST_WINDOW_BYTES));
    }
    if (wanted > 0 && holds(window, at + 8, wanted)) readChunk(type, slice(window, at + 8, wanted), layout);
    at += 8 + length + (length % 2); // chunks are padded to an even size
  }
  return layout;
}

/**
 * How many payload bytes of a chunk the layout needs: the fixed headers of the picture chunks (read even when the chunk
 * claims to be shorter, as the old readers did), whole metadata chunks.
 */
function chunkBytesWanted(type: string, length: number, layout: WebpLayout): number {
  switch (type) {
    case 'VP8X':
      return 10;
    case 'VP8 ':
      return layout.size ? 0 : 10;
    case 'VP8L':
      return layout.size ? 0 : 5;
    case 'EXIF':
      return layout.tiff || length > MAX_METADATA_BLOCK_BYTES ? 0 : length;
    case 'XMP ':
      return layout.xmp || length > MAX_METADATA_BLOCK_BYTES ? 0 : length;
    default:
      return 0;
  }
}

function readChunk(type: string, data: Uint8Array, layout: WebpLayout): void {
  switch (type) {
    case 'VP8X':
      if (data.length < 10) return;
      layout.animated = (data[0]! & VP8X_ANIMATION) !== 0;
      // The canvas, stored minus one: what every frame is drawn on, and what a viewer shows.
      layout.size = { width: u24le(data, 4) + 1, height: u24le(data, 7) + 1 };
      return;
    case 'VP8 ': {
      // A key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (2 bits of scaling above).
      if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) return;
      layout.size ??= { width: u16le(data, 6) & 0x3fff, height: u16le(data, 8) & 0x3fff };
      return;
    }
    case 'VP8L': {
      // Signature 0x2F, then 14-bit width and height minus one, an alpha hint bit and a 3-bit version.
      if (data.length < 5 || data[0] !== 0x2f) return;
      const bits = u32le(data, 1);
      layout.size ??= { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      return;
    }
    case 'EXIF':
      // The specification says a TIFF structure; some writers (old ImageMagick, some phones) keep the JPEG "Exif\0\0".
      layout.tiff ??= startsWith(data, 'Exif\0\0') ? data.subarray(6) : data;
      return;
    case 'XMP ':
      layout.xmp ??= data;
      return;
  }
}
