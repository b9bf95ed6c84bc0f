import { crc32 } from 'node:zlib';
import { CorruptImage } from '../errors';
import { u16be, u32be } from '../image-header/bytes';
import { EOI, isStandalone, isStartOfFrame, readFrameHeader, SOI, SOS } from '../image-header/jpeg';
import { CHUNK_OVERHEAD, hasPngSignature, readChunkHeader, readIhdr, SIGNATURE_BYTES } from '../image-header/png';
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

/** Reads the real dimensions from the bytes and checks the structure is complete, without decoding any pixel. */
export function readImageHeader(bytes: Uint8Array, format: SupportedFormat): ImageHeader {
  return format === 'JPEG' ? readJpegHeader(bytes) : readPngHeader(bytes);
}

/**
 * Walks every marker up to EOI, skipping entropy-coded data, so a file cut short is caught here (libjpeg would only
 * warn and paint the missing part grey) and scans can be counted.
 */
function readJpegHeader(bytes: Uint8Array): ImageHeader {
  if (bytes[0] !== SOI[0] || bytes[1] !== SOI[1]) throw new CorruptImage('The bytes are not a JPEG (no SOI marker)');
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
    if (marker === EOI) break;
    if (isStandalone(marker)) continue;
    const length = at + 2 <= bytes.length ? u16be(bytes, at) : 0;
    if (length < 2 || at + length > bytes.length) throw overruns(marker);
    if (isStartOfFrame(marker) && frame === undefined) {
      if (at + 7 > bytes.length) throw overruns(marker);
      // `at` is just past the marker: the frame header starts at its FF, 2 bytes before.
      const { width, height, precision, components } = readFrameHeader(bytes, at - 2);
      frame = { height, width, jpegFrame: { marker, precision, components } };
      if (frame.width === 0 || frame.height === 0) {
        throw new CorruptImage(`JPEG frame header has no usable dimensions (${frame.width}x${frame.height})`);
      }
    }
    at += length;
    if (marker === SOS) {
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

function overruns(marker: number): CorruptImage {
  return new CorruptImage(
    `JPEG data is truncated or corrupt: segment 0xFF${marker.toString(16).toUpperCase()} overruns the file`,
  );
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

/**
 * Walks the chunk list and checks every CRC, so a truncated or damaged PNG is refused before it is inflated. The CRCs
 * are checked here with zlib's native crc32 because pngjs's JS one costs ~250 ms on a 12 MP PNG.
 */
function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (!hasPngSignature(bytes)) throw new CorruptImage('The bytes are not a PNG (no signature)');
  const ihdr = readIhdr(bytes);
  if (!ihdr) throw new CorruptImage('PNG data is corrupt: IHDR is missing or truncated');
  const { width, height, bitDepth, colourType, methods } = ihdr;
  if (width === 0 || height === 0) throw new CorruptImage(`PNG header has no usable dimensions (${width}x${height})`);
  const channels = PNG_CHANNELS[colourType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(bitDepth)) {
    throw new CorruptImage(`PNG header has an invalid colour type ${colourType} or bit depth ${bitDepth}`);
  }
  const frame: PngFrame = {
    bitsPerPixel: bitDepth * channels,
    interlaced: methods[2] === 1,
    imageData: [],
    colourType,
    bitDepth,
    methods,
  };
  let at = SIGNATURE_BYTES;
  for (;;) {
    if (at + CHUNK_OVERHEAD > bytes.length)
      throw new CorruptImage('PNG data is truncated: no IEND chunk before the end of the file');
    const { length, type } = readChunkHeader(bytes, at);
    if (at + CHUNK_OVERHEAD + length > bytes.length)
      throw new CorruptImage(`PNG data is truncated: chunk ${type} overruns the file`);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== u32be(bytes, at + 8 + length)) {
      throw new CorruptImage(`PNG data is corrupt: chunk ${type} fails its CRC check`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IDAT') frame.imageData.push(data);
    else if (type === 'PLTE') frame.palette ??= data;
    else if (type === 'tRNS') frame.transparency ??= data;
    else if (type === 'IEND') break;
    // Bit 5 of the first letter clear (upper case) marks a chunk that must be understood to read the image.
    else if (type !== 'IHDR' && (type.charCodeAt(0) & 0x20) === 0) frame.unknownCriticalChunk ??= type;
    at += CHUNK_OVERHEAD + length;
  }
  if (frame.imageData.length === 0) throw new CorruptImage('PNG has no image data (no IDAT chunk)');
  return { width, height, pngFrame: frame };
}
