import { Readable, type TransformOptions } from 'node:stream';
import { createInflate, type ZlibOptions } from 'node:zlib';
import { CorruptImage } from '../errors';
import type { Bitmap } from './bitmap';
import type { ImageHeader, PngFrame } from './header';
import { BoxDownsampler } from './resize';
import type { Size } from './size';

/**
 * Inflated bytes handed over at a time. zlib on the thread pool waits for the main thread to take each chunk; at
 * 64 KiB those waits made a 12 MP decode 20 % slower than at 1 MiB.
 */
const INFLATE_CHUNK = 1024 * 1024;
/** Compressed bytes written to zlib at a time. */
const INFLATE_BATCH = 512 * 1024;
/**
 * How far zlib may inflate ahead of the rows being unfiltered. Streams default to 16 KiB, which would stop the thread
 * pool after every chunk and make inflating and unfiltering take turns instead of overlapping.
 */
const INFLATE_AHEAD = 4 * 2 ** 20;

const FILTER_NAMES = ['None', 'Sub', 'Up', 'Average', 'Paeth'];

/**
 * Decodes a non-interlaced PNG straight into its area-averaged thumbnail-sized bitmap: the image data is inflated as a
 * stream (zlib works on the thread pool while rows are unfiltered here), each row is unfiltered against the previous
 * one, turned into 8-bit RGBA exactly as pngjs does, and fed to the downsampler. No full-size bitmap exists, and
 * inflating stops at the last row, so the image data can never expand past what the header declares.
 */
export async function decodePngResized(header: ImageHeader, target: Size): Promise<Bitmap> {
  const frame = header.pngFrame;
  if (frame === undefined || frame.interlaced) throw new Error('decodePngResized reads non-interlaced PNGs only');
  const rowBytes = Math.ceil((header.width * frame.bitsPerPixel) / 8);
  const pixelBytes = Math.max(1, frame.bitsPerPixel >> 3);
  const feed = rowFeeder(frame, header, target);
  let row = new Uint8Array(rowBytes + 1);
  let previous = new Uint8Array(rowBytes + 1);
  let filled = 0;
  let rows = 0;

  const options: ZlibOptions & TransformOptions = { chunkSize: INFLATE_CHUNK, readableHighWaterMark: INFLATE_AHEAD };
  const inflate = createInflate(options);
  const source = Readable.from(batches(frame.imageData), { objectMode: false });
  source.pipe(inflate);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length && rows < header.height) {
        const take = Math.min(chunk.length - at, row.length - filled);
        row.set(chunk.subarray(at, at + take), filled);
        at += take;
        filled += take;
        if (filled < row.length) break;
        unfilter(row, previous, pixelBytes, rows);
        feed(row);
        [row, previous] = [previous, row];
        filled = 0;
        rows += 1;
      }
      // Whatever follows the last row is ignored unread, as pngjs and libpng do.
      if (rows === header.height) break;
    }
  } catch (error) {
    if (error instanceof CorruptImage) throw error;
    throw new CorruptImage(`PNG could not be decoded: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    source.destroy();
    inflate.destroy();
  }
  if (rows < header.height) {
    throw new CorruptImage(
      `PNG could not be decoded: its image data holds ${rows} of the ${header.height} rows its header declares`,
    );
  }
  return feed.finish();
}

/**
 * Encoders split the image data into IDAT chunks of 8-64 KiB, and zlib streams hand back their output after each
 * write: written one by one, a 12 MP PNG's thousands of chunks cost thousands of thread-pool round trips. Joined into
 * batches they cost a few dozen, with only one batch copied at a time.
 */
function* batches(parts: Uint8Array[]): Generator<Uint8Array> {
  for (let i = 0; i < parts.length;) {
    const batch: Uint8Array[] = [];
    let length = 0;
    while (i < parts.length && length < INFLATE_BATCH) {
      batch.push(parts[i]!);
      length += parts[i]!.length;
      i += 1;
    }
    yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, length);
  }
}

type RowFeeder = ((row: Uint8Array) => void) & { finish: () => Bitmap };

/** Sends each unfiltered row to the resize; 8-bit RGB and RGBA rows go as they are stored, the rest through RGBA. */
function rowFeeder(frame: PngFrame, size: Size, target: Size): RowFeeder {
  const toRgba = rowConverter(frame, size.width);
  const sink =
    target.width === size.width && target.height === size.height
      ? new FullSizeRows(size)
      : new BoxDownsampler(size, target);
  const finish = () => sink.finish();
  if (sink instanceof BoxDownsampler && frame.bitDepth === 8 && frame.colourType === 6) {
    return Object.assign((row: Uint8Array) => sink.addRow(row, 1), { finish });
  }
  if (
    sink instanceof BoxDownsampler &&
    frame.bitDepth === 8 &&
    frame.colourType === 2 &&
    frame.transparency === undefined
  ) {
    return Object.assign((row: Uint8Array) => sink.addOpaqueRgbRow(row, 1), { finish });
  }
  const rgba = new Uint8Array(size.width * 4);
  return Object.assign(
    (row: Uint8Array) => {
      toRgba(row, rgba);
      sink.addRow(rgba);
    },
    { finish },
  );
}

/** When no resize is needed the rows are kept as they are (resizeBitmap returns such a bitmap untouched too). */
class FullSizeRows {
  private readonly data: Buffer;
  private at = 0;

  constructor(private readonly size: Size) {
    this.data = Buffer.alloc(size.width * size.height * 4);
  }

  addRow(rgba: Uint8Array): void {
    this.data.set(rgba, this.at);
    this.at += rgba.length;
  }

  finish(): Bitmap {
    return { width: this.size.width, height: this.size.height, data: this.data };
  }
}

/** Reverses the row's filter in place; `row[0]` is the filter type, `previous` the unfiltered row above (zeros at first). */
function unfilter(row: Uint8Array, previous: Uint8Array, pixelBytes: number, y: number): void {
  const filter = row[0]!;
  // With no row above, Up adds nothing, Average halves the left byte alone, and Paeth always predicts the left byte.
  if (y === 0 && filter !== 0) {
    if (filter === 1 || filter === 4) unfilterSub(row, pixelBytes);
    else if (filter === 3) unfilterAverageFirst(row, pixelBytes);
    else if (filter !== 2) throw unknownFilter(filter, y);
    return;
  }
  switch (filter) {
    case 0:
      return;
    case 1:
      unfilterSub(row, pixelBytes);
      return;
    case 2:
      unfilterUp(row, previous);
      return;
    case 3:
      unfilterAverage(row, previous, pixelBytes);
      return;
    case 4:
      unfilterPaeth(row, previous, pixelBytes);
      return;
    default:
      throw unknownFilter(filter, y);
  }
}

function unknownFilter(filter: number, y: number): CorruptImage {
  return new CorruptImage(
    `PNG could not be decoded: row ${y} has filter type ${filter}, not one of ${FILTER_NAMES.join(', ')}`,
  );
}

function unfilterSub(row: Uint8Array, pixelBytes: number): void {
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + row[i - pixelBytes]!;
}

function unfilterUp(row: Uint8Array, up: Uint8Array): void {
  for (let i = 1; i < row.length; i += 1) row[i] = row[i]! + up[i]!;
}

function unfilterAverageFirst(row: Uint8Array, pixelBytes: number): void {
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + (row[i - pixelBytes]! >> 1);
}

function unfilterAverage(row: Uint8Array, up: Uint8Array, pixelBytes: number): void {
  for (let i = 1; i <= pixelBytes; i += 1) row[i] = row[i]! + (up[i]! >> 1);
  for (let i = 1 + pixelBytes; i < row.length; i += 1) row[i] = row[i]! + ((row[i - pixelBytes]! + up[i]!) >> 1);
}

function unfilterPaeth(row: Uint8Array, up: Uint8Array, pixelBytes: number): void {
  if (pixelBytes === 3) return unfilterPaeth3(row, up);
  if (pixelBytes === 4) return unfilterPaeth4(row, up);
  for (let i = 1; i <= pixelBytes; i += 1) row[i] = row[i]! + up[i]!;
  for (let i = 1 + pixelBytes; i < row.length; i += 1)
    row[i] = row[i]! + paeth(row[i - pixelBytes]!, up[i]!, up[i - pixelBytes]!);
}

/** RGB rows: each channel's left and upper-left bytes stay in locals (a quarter faster than reading them back). */
function unfilterPaeth3(row: Uint8Array, up: Uint8Array): void {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    c0 = 0,
    c1 = 0,
    c2 = 0;
  for (let i = 1; i < row.length; i += 3) {
    let b = up[i]!;
    a0 = (row[i]! + paeth(a0, b, c0)) & 0xff;
    row[i] = a0;
    c0 = b;
    b = up[i + 1]!;
    a1 = (row[i + 1]! + paeth(a1, b, c1)) & 0xff;
    row[i + 1] = a1;
    c1 = b;
    b = up[i + 2]!;
    a2 = (row[i + 2]! + paeth(a2, b, c2)) & 0xff;
    row[i + 2] = a2;
    c2 = b;
  }
}

function unfilterPaeth4(row: Uint8Array, up: Uint8Array): void {
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    c0 = 0,
    c1 = 0,
    c2 = 0,
    c3 = 0;
  for (let i = 1; i < row.length; i += 4) {
    let b = up[i]!;
    a0 = (row[i]! + paeth(a0, b, c0)) & 0xff;
    row[i] = a0;
    c0 = b;
    b = up[i + 1]!;
    a1 = (row[i + 1]! + paeth(a1, b, c1)) & 0xff;
    row[i + 1] = a1;
    c1 = b;
    b = up[i + 2]!;
    a2 = (row[i + 2]! + paeth(a2, b, c2)) & 0xff;
    row[i + 2] = a2;
    c2 = b;
    b = up[i + 3]!;
    a3 = (row[i + 3]! + paeth(a3, b, c3)) & 0xff;
    row[i + 3] = a3;
    c3 = b;
  }
}

/**
 * The Paeth predictor without branches (photo data makes its comparisons unpredictable: twice as fast this way).
 * p - a, p - b and p - c are b - c, a - c and their sum; the masks pick a, else b, else c, as the spec orders ties.
 */
function paeth(a: number, b: number, c: number): number {
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(b - c + a - c);
  const notA = ((pb - pa) | (pc - pa)) >> 31;
  const notB = (pc - pb) >> 31;
  return (a & ~notA) | (((b & ~notB) | (c & notB)) & notA);
}

type RowConverter = (row: Uint8Array, rgba: Uint8Array) => void;

/**
 * Builds the function that turns one unfiltered row (filter byte first) into 8-bit RGBA the way pngjs's bitmapper and
 * format normaliser do: samples scaled with floor(v * 255 / max + 0.5), a pixel matching the grey or RGB tRNS colour
 * (compared before scaling) made (0, 0, 0, 0), palette entries with their tRNS alpha, an index past the palette refused.
 */
function rowConverter(frame: PngFrame, width: number): RowConverter {
  const [compression, filterMethod, interlace] = frame.methods;
  if (compression !== 0 || filterMethod !== 0 || (interlace !== 0 && interlace !== 1)) {
    throw new CorruptImage(
      `PNG could not be decoded: unknown compression, filter or interlace method (${frame.methods.join(', ')})`,
    );
  }
  if (frame.unknownCriticalChunk !== undefined) {
    throw new CorruptImage(`PNG could not be decoded: unknown critical chunk ${frame.unknownCriticalChunk}`);
  }
  const { colourType, bitDepth } = frame;
  const channels = frame.bitsPerPixel / bitDepth;
  const readSamples = sampleReader(bitDepth, width * channels);
  if (colourType === 3) return paletteConverter(frame, width, readSamples);
  const scale = depthScale(bitDepth);
  const key = transparentColour(frame);
  return (row, rgba) => {
    const samples = readSamples(row);
    for (let x = 0, s = 0, o = 0; x < width; x += 1, s += channels, o += 4) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (channels <= 2) {
        r = g = b = samples[s]!;
        if (channels === 2) a = scale[samples[s + 1]!]!;
        else if (key !== undefined && r === key[0]) a = -1;
      } else {
        r = samples[s]!;
        g = samples[s + 1]!;
        b = samples[s + 2]!;
        if (channels === 4) a = scale[samples[s + 3]!]!;
        else if (key !== undefined && r === key[0] && g === key[1] && b === key[2]) a = -1;
      }
      if (a < 0) {
        rgba[o] = rgba[o + 1] = rgba[o + 2] = rgba[o + 3] = 0;
      } else {
        rgba[o] = scale[r]!;
        rgba[o + 1] = scale[g]!;
        rgba[o + 2] = scale[b]!;
        rgba[o + 3] = a;
      }
    }
  };
}

function paletteConverter(
  frame: PngFrame,
  width: number,
  readSamples: (row: Uint8Array) => ArrayLike<number>,
): RowConverter {
  const plte = frame.palette;
  if (plte === undefined || plte.length < 3)
    throw new CorruptImage('PNG could not be decoded: a palette image has no PLTE chunk');
  const entries = Math.floor(plte.length / 3);
  const alpha = frame.transparency ?? new Uint8Array(0);
  if (alpha.length > entries)
    throw new CorruptImage('PNG could not be decoded: tRNS has more entries than the palette');
  const colours = new Uint8Array(entries * 4);
  for (let i = 0; i < entries; i += 1) {
    colours.set(plte.subarray(i * 3, i * 3 + 3), i * 4);
    colours[i * 4 + 3] = i < alpha.length ? alpha[i]! : 255;
  }
  const colours32 = new Uint32Array(colours.buffer);
  return (row, rgba) => {
    const samples = readSamples(row);
    const pixels = new Uint32Array(rgba.buffer, rgba.byteOffset, width);
    for (let x = 0; x < width; x += 1) {
      const index = samples[x]!;
      if (index >= entries)
        throw new CorruptImage(`PNG could not be decoded: palette index ${index} past its ${entries} entries`);
      pixels[x] = colours32[index]!;
    }
  };
}

/** The samples of one row at their stored depth: a view for 8 bits, unpacked (MSB first) or big-endian 16-bit otherwise. */
function sampleReader(bitDepth: number, count: number): (row: Uint8Array) => ArrayLike<number> {
  if (bitDepth === 8) return (row) => row.subarray(1, 1 + count);
  const samples = new Uint16Array(count);
  if (bitDepth === 16) {
    return (row) => {
      for (let i = 0, at = 1; i < count; i += 1, at += 2) samples[i] = (row[at]! << 8) | row[at + 1]!;
      return samples;
    };
  }
  const perByte = 8 / bitDepth;
  const mask = (1 << bitDepth) - 1;
  return (row) => {
    for (let i = 0; i < count; i += 1) {
      const shift = 8 - bitDepth * ((i % perByte) + 1);
      samples[i] = (row[1 + Math.floor(i / perByte)]! >> shift) & mask;
    }
    return samples;
  };
}

/** Stored sample value to 8 bits, pngjs's rounding. */
function depthScale(bitDepth: number): Uint8Array {
  const max = 2 ** bitDepth - 1;
  const table = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v += 1) table[v] = Math.floor((v * 255) / max + 0.5);
  return table;
}

/** The grey or RGB colour tRNS marks transparent, at the stored depth. */
function transparentColour(frame: PngFrame): number[] | undefined {
  const trns = frame.transparency;
  if (trns === undefined || (frame.colourType !== 0 && frame.colourType !== 2)) return undefined;
  const values = frame.colourType === 0 ? 1 : 3;
  if (trns.length < values * 2)
    throw new CorruptImage('PNG could not be decoded: tRNS is too short for its colour type');
  return Array.from({ length: values }, (_, i) => (trns[i * 2]! << 8) | trns[i * 2 + 1]!);
}
