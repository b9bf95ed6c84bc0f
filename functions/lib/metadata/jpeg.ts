import { CorruptImage } from '../errors';
import { startsWith, u16be } from '../image-header/bytes';
import {
  APP1,
  EOI,
  FRAME_HEADER_BYTES,
  isStandalone,
  isStartOfFrame,
  readFrameHeader,
  SOS,
} from '../image-header/jpeg';
import type { ByteWalker } from './byte-walker';
import type { EmbeddedMetadata, PixelSize } from './embedded';
import { FIRST_WINDOW_BYTES, holds, readWindow, slice, type Window } from './window';

const EXIF_ID = 'Exif\0';
const EXIF_HEADER_BYTES = 6;
const XMP_ID = 'http://ns.adobe.com/xap/1.0/\0';
/** Real files have a few dozen segments before the frame; this only stops crafted ones. */
const MAX_MARKERS = 4096;
/** Big ICC profiles, Photoshop blocks or extended XMP can push the frame header a few MB in; 16 MiB is no photo. */
const MAX_BYTES_BEFORE_FRAME = 16 * 1024 * 1024;
/** Each read after the first window doubles, up to this, so far-away frames cost a few requests, never one per segment. */
const MAX_READ_BYTES = 4 * 1024 * 1024;

/**
 * Walks the segments from SOI to the frame header by their length fields, keeping the payload of APP1 (EXIF, XMP)
 * only. Stops at SOF: EXIF must precede it, and the scan data follows it. The first window holds the frame header of
 * almost every file; when it does not, the walk reads on from the segment it stopped at in windows that double.
 */
export function* walkJpeg(head: Window): ByteWalker<PixelSize & EmbeddedMetadata> {
  const bytes = growingReads(head);
  const found: EmbeddedMetadata = {};
  let at = 2;
  let previous: Segment | undefined;
  for (let count = 0; count < MAX_MARKERS; count += 1) {
    if (at > MAX_BYTES_BEFORE_FRAME) {
      throw new CorruptImage(
        `JPEG has more than ${MAX_BYTES_BEFORE_FRAME / 1024 / 1024} MiB before its frame header (SOF)`,
      );
    }
    const header = yield* bytes(at, 4);
    if (header.length < 2) throw truncated(at, previous);
    if (header[0] !== 0xff) throw new CorruptImage(`JPEG has no segment marker at byte ${at}`);
    const marker = header[1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === SOS || marker === EOI) {
      throw new CorruptImage(`JPEG reaches marker 0x${hex(marker)} at byte ${at} without a frame header (SOF)`);
    }
    if (marker < 0xc0) throw new CorruptImage(`JPEG has an invalid marker 0x${hex(marker)} at byte ${at}`);
    if (header.length < 4) throw truncated(at, previous);
    const length = u16be(header, 2);
    if (length < 2)
      throw new CorruptImage(`JPEG segment 0x${hex(marker)} at byte ${at} has an invalid length ${length}`);

    if (isStartOfFrame(marker)) return { ...readFrame(at, length, yield* bytes(at, FRAME_HEADER_BYTES)), ...found };
    if (marker === APP1 && !(found.tiff && found.xmp)) {
      const payload = (yield* bytes(at, 2 + length)).subarray(4);
      if (!found.tiff && startsWith(payload, EXIF_ID)) found.tiff = payload.subarray(EXIF_HEADER_BYTES);
      else if (!found.xmp && startsWith(payload, XMP_ID)) found.xmp = payload.subarray(XMP_ID.length);
    }
    previous = { marker, at, length };
    at += 2 + length;
  }
  throw new CorruptImage(`JPEG has more than ${MAX_MARKERS} markers before its frame header (SOF)`);
}

/** Bytes [at, at + length), shorter only where the file ends; a range the current window lacks starts a new read. */
function growingReads(head: Window): (at: number, length: number) => ByteWalker<Uint8Array> {
  let window = head;
  let readBytes = FIRST_WINDOW_BYTES;
  return function* bytes(at, length) {
    if (!holds(window, at, length)) {
      readBytes = Math.min(MAX_READ_BYTES, 2 * readBytes);
      window = yield* readWindow(at, Math.max(length, readBytes));
    }
    return slice(window, at, length);
  };
}

/** `segment` is the frame header from its marker: FF Cx, length, precision, height, width. */
function readFrame(at: number, length: number, segment: Uint8Array): PixelSize {
  if (length < 7 || segment.length < FRAME_HEADER_BYTES) throw truncated(at + 4);
  const { width, height } = readFrameHeader(segment, 0);
  if (width === 0 || height === 0) {
    throw new CorruptImage(`JPEG frame header at byte ${at} declares ${width}x${height} pixels`);
  }
  return { width, height };
}

interface Segment {
  marker: number;
  at: number;
  length: number;
}

/**
 * When the file ends where a segment said the next marker would be, that segment's declared length is the useful
 * fact: `at` alone can lie past the end of the file.
 */
function truncated(at: number, previous?: Segment): CorruptImage {
  const where = previous
    ? `segment 0x${hex(previous.marker)} at byte ${previous.at} declares ${previous.length} bytes, but the file ends before byte ${at}`
    : `the file ends at byte ${at}`;
  return new CorruptImage(`JPEG is truncated before its frame header (SOF), so its dimensions are unknown: ${where}`);
}

const hex = (marker: number): string => marker.toString(16).toUpperCase().padStart(2, '0');
