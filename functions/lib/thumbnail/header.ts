import { crc32 } from 'node:zlib';
import { CorruptImage } from '../errors';
import type { SupportedFormat } from '../image-metadata';

/** Pixel dimensions as stored in the file (before EXIF orientation). */
export interface ImageHeader {
  width: number;
  height: number;
  /** JPEG only: what the frame header says about the coding. */
  jpegFrame?: JpegFrame;
  /** PNG only. */
  pngFrame?: PngFrame;
}

export interface PngFrame {
  bitsPerPixel: number;
  interlaced: boolean;
  /** The IDAT payloads, in order (views into the bytes, not copies). */
  imageData: Uint8Array[];
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colourType: number;
  /** Bits per sample (per palette index for colour type 3). */
  bitDepth: number;
  /** IHDR's compression, filter and interlace methods as stored (only 0, 0 and 0/1 are defined). */
  methods: [number, number, number];
  /** The PLTE and tRNS payloads, when present (views). */
  palette?: Uint8Array;
  transparency?: Uint8Array;
  /** A critical chunk other than IHDR, PLTE, IDAT, IEND: a decoder must refuse the file. */
  unknownCriticalChunk?: string;
}

/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface JpegFrame {
  /** SOFn marker: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless, 0xC9.. arithmetic. */
  marker: number;
  /** Bits per sample. */
  precision: number;
  /** 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK. */
  components: number;
}

/**
 * No encoder writes more than a few dozen scans; a crafted progressive JPEG with thousands of tiny scans makes every
 * decoder walk the whole coefficient buffer once per scan, which is a CPU bomb that the pixel count does not catch.
 * libjpeg-turbo 2.1 added the same kind of limit (TJPARAM_SCANLIMIT); the 2.0 build we run has none.
 */
export const MAX_JPEG_SCANS = 100;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads the real dimensions from the bytes and checks the structure is complete, without decoding any pixel. */
export function readImageHeader(bytes: Uint8Array, format: SupportedFormat): ImageHeader {
  return format === 'JPEG' ? readJpegHeader(bytes) : readPngHeader(bytes);
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 0x10000 + u16(bytes, at + 2);
}

function isStartOfFrame(marker: number): boolean {
  // C4 (DHT), C8 (reserved) and CC (DAC) share the range but are not frames.
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks every marker up to EOI, skipping entropy-coded data, so a file cut short is caught here (libjpeg would only
 * warn and paint the missing part grey) and scans can be counted.
 */
function readJpegHeader(bytes: Uint8Array): ImageHeader {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new CorruptImage('The bytes are not a JPEG (no SOI marker)');
  let frame: (ImageHeader & { jpegFrame: JpegFrame }) | undefined;
  let scans = 0;
  let at = 2;
  for (;;) {
    if (at >= bytes.length) throw new CorruptImage('JPEG data is truncated: no EOI marker before the end of the file');
    if (bytes[at] !== 0xff) throw new CorruptImage(`JPEG data is corrupt: expected a marker at byte ${at}`);
    while (bytes[at] === 0xff) at += 1;
    const marker = bytes[at];
    at += 1;
    if (marker === undefined)
      throw new CorruptImage('JPEG data is truncated: no EOI marker before the end of the file');
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    const length = u16(bytes, at);
    if (length < 2 || at + length > bytes.length) {
      throw new CorruptImage(
        `JPEG data is truncated or corrupt: segment 0xFF${marker.toString(16).toUpperCase()} overruns the file`,
      );
    }
    if (isStartOfFrame(marker) && frame === undefined) {
      frame = {
        height: u16(bytes, at + 3),
        width: u16(bytes, at + 5),
        jpegFrame: { marker, precision: bytes[at + 2] ?? 0, components: bytes[at + 7] ?? 0 },
      };
      if (frame.width === 0 || frame.height === 0) {
        throw new CorruptImage(`JPEG frame header has no usable dimensions (${frame.width}x${frame.height})`);
      }
    }
    at += length;
    if (marker === 0xda) {
      if (frame === undefined) throw new CorruptImage('JPEG data is corrupt: a scan starts before the frame header');
      scans += 1;
      if (scans > MAX_JPEG_SCANS)
        throw new CorruptImage(`JPEG has more than ${MAX_JPEG_SCANS} scans; refused as a likely CPU bomb`);
      at = endOfEntropyCodedData(bytes, at);
    }
  }
  if (frame === undefined) throw new CorruptImage('JPEG has no frame header');
  if (scans === 0) throw new CorruptImage('JPEG has no image data (no scan)');
  return frame;
}

/** Inside entropy-coded data 0xFF is followed by a stuffed 0x00 or a restart marker; anything else ends the scan. */
function endOfEntropyCodedData(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    at = bytes.indexOf(0xff, at);
    if (at < 0 || at + 1 >= bytes.length) return bytes.length;
    const next = bytes[at + 1] ?? 0;
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
      at += next === 0xff ? 1 : 2;
      continue;
    }
    return at;
  }
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/**
 * Walks the chunk list and checks every CRC, so a truncated or damaged PNG is refused before it is inflated. The CRCs
 * are checked here with zlib's native crc32 because pngjs's JS one costs ~250 ms on a 12 MP PNG.
 */
function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte))
    throw new CorruptImage('The bytes are not a PNG (no signature)');
  if (bytes.length < 33 || chunkType(bytes, 12) !== 'IHDR' || u32(bytes, 8) !== 13) {
    throw new CorruptImage('PNG data is corrupt: IHDR is missing or truncated');
  }
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  if (width === 0 || height === 0) throw new CorruptImage(`PNG header has no usable dimensions (${width}x${height})`);
  const bitDepth = bytes[24] ?? 0;
  const channels = PNG_CHANNELS[bytes[25] ?? -1];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(bitDepth)) {
    throw new CorruptImage(`PNG header has an invalid colour type ${bytes[25]} or bit depth ${bitDepth}`);
  }
  const frame: PngFrame = {
    bitsPerPixel: bitDepth * channels,
    interlaced: bytes[28] === 1,
    imageData: [],
    colourType: bytes[25] ?? 0,
    bitDepth,
    methods: [bytes[26] ?? 0, bytes[27] ?? 0, bytes[28] ?? 0],
  };
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length)
      throw new CorruptImage('PNG data is truncated: no IEND chunk before the end of the file');
    const length = u32(bytes, at);
    const type = chunkType(bytes, at + 4);
    if (at + 12 + length > bytes.length)
      throw new CorruptImage(`PNG data is truncated: chunk ${type} overruns the file`);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== u32(bytes, at + 8 + length)) {
      throw new CorruptImage(`PNG data is corrupt: chunk ${type} fails its CRC check`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IDAT') frame.imageData.push(data);
    else if (type === 'PLTE') frame.palette ??= data;
    else if (type === 'tRNS') frame.transparency ??= data;
    else if (type === 'IEND') break;
    // Bit 5 of the first letter clear (upper case) marks a chunk that must be understood to read the image.
    else if (type !== 'IHDR' && (type.charCodeAt(0) & 0x20) === 0) frame.unknownCriticalChunk ??= type;
    at += 12 + length;
  }
  if (frame.imageData.length === 0) throw new CorruptImage('PNG has no image data (no IDAT chunk)');
  return { width, height, pngFrame: frame };
}
