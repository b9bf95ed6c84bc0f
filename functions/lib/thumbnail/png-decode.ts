import { Readable, type TransformOptions } from 'node:stream';
import { createInflate, type ZlibOptions } from 'node:zlib';
import { CorruptImage } from '../errors';
import type { Bitmap } from './bitmap';
import type { ImageHeader, PngFrame } from './header';
import { rowConverter, type RowConverter } from './png-pixels';
import { unfilter } from './png-unfilter';
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

/** The pixels one pass of the image data holds: every dx-th column from x0 of every dy-th row from y0. */
export interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

/** Adam7's seven passes as [x0, y0, dx, dy]: an 8x8 grid first, refined until pass 7 brings the odd rows. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The passes of the image data, in order; an empty Adam7 pass (a small image) has no bytes at all, not even filter bytes. */
export function passesOf(size: Size, interlaced: boolean): Pass[] {
  if (!interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width: size.width, height: size.height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: Math.max(0, Math.ceil((size.width - x0) / dx)),
    height: Math.max(0, Math.ceil((size.height - y0) / dy)),
  })).filter((pass) => pass.width > 0 && pass.height > 0);
}

/** Takes each unfiltered row (filter byte first) of a pass; `y` is the row's number in its pass. */
type RowSink = ((row: Uint8Array, pass: Pass, y: number) => void) & { finish: () => Bitmap };

/**
 * Decodes a PNG straight into its area-averaged thumbnail-sized bitmap: the image data is inflated as a stream (zlib
 * works on the thread pool while rows are unfiltered here), each row is unfiltered against the previous one of its
 * pass, turned into 8-bit RGBA exactly as pngjs does, and fed to the downsampler; an interlaced (Adam7) image pass by
 * pass, each row added where its pixels lie. No full-size bitmap exists, and inflating stops at the last row, so the
 * image data can never expand past what the header declares.
 */
export async function decodePngResized(header: ImageHeader, target: Size): Promise<Bitmap> {
  const frame = header.pngFrame;
  if (frame === undefined) throw new Error('decodePngResized reads PNGs only');
  const passes = passesOf(header, frame.interlaced);
  const sink = frame.interlaced ? interlacedSink(frame, header, target) : rowSink(frame, header, target);
  const rows = await readRows(frame, passes, sink);
  const declared = passes.reduce((sum, pass) => sum + pass.height, 0);
  if (rows < declared) {
    throw new CorruptImage(
      `PNG could not be decoded: its image data holds ${rows} of the ${declared} rows its header declares`,
    );
  }
  return sink.finish();
}

/** Inflates the image data and hands every row, unfiltered, to `sink`; answers how many rows it found. */
async function readRows(frame: PngFrame, passes: Pass[], sink: RowSink): Promise<number> {
  const pixelBytes = Math.max(1, frame.bitsPerPixel >> 3);
  const rowBuffer = (pass: Pass) => new Uint8Array(Math.ceil((pass.width * frame.bitsPerPixel) / 8) + 1);
  let passIndex = 0;
  let pass = passes[0];
  let row = pass ? rowBuffer(pass) : new Uint8Array(0);
  let previous = new Uint8Array(row.length);
  let filled = 0;
  let y = 0;
  let rows = 0;

  const options: ZlibOptions & TransformOptions = { chunkSize: INFLATE_CHUNK, readableHighWaterMark: INFLATE_AHEAD };
  const inflate = createInflate(options);
  const source = Readable.from(batches(frame.imageData), { objectMode: false });
  source.pipe(inflate);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length && pass !== undefined) {
        const take = Math.min(chunk.length - at, row.length - filled);
        row.set(chunk.subarray(at, at + take), filled);
        at += take;
        filled += take;
        if (filled < row.length) break;
        unfilter(row, previous, pixelBytes, y, rows);
        sink(row, pass, y);
        [row, previous] = [previous, row];
        filled = 0;
        rows += 1;
        y += 1;
        if (y === pass.height) {
          // Each pass is filtered on its own: its first row has no row above.
          pass = passes[(passIndex += 1)];
          if (pass !== undefined) [row, previous] = [rowBuffer(pass), rowBuffer(pass)];
          y = 0;
        }
      }
      // Whatever follows the last row is ignored unread, as pngjs and libpng do.
      if (pass === undefined) break;
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
  return rows;
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

/** Rows of a non-interlaced PNG to the resize; 8-bit RGB and RGBA rows go as they are stored, the rest through RGBA. */
function rowSink(frame: PngFrame, size: Size, target: Size): RowSink {
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

/**
 * Rows of an Adam7 pass to the resize: each is turned into RGBA, spread over a whole image row at its pass's columns
 * (the other pixels left transparent, so they add nothing) and added to the sums of the rows it lies in. Memory stays
 * two image rows, whatever the picture's size; the pngjs path it replaced held the whole image three times over.
 */
function interlacedSink(frame: PngFrame, size: Size, target: Size): RowSink {
  const converters = new Map<number, RowConverter>();
  const rgba = new Uint8Array(size.width * 4);
  const pixels = new Uint32Array(rgba.buffer);
  const full = target.width === size.width && target.height === size.height;
  const image = full ? new FullSizeRows(size) : undefined;
  const downsampler = full ? undefined : new BoxDownsampler(size, target);
  const spread = new Uint32Array(size.width);
  const spreadBytes = new Uint8Array(spread.buffer);
  let spreadPass: Pass | undefined;
  const add = (row: Uint8Array, pass: Pass, y: number) => {
    let toRgba = converters.get(pass.width);
    if (toRgba === undefined) converters.set(pass.width, (toRgba = rowConverter(frame, pass.width)));
    toRgba(row, rgba);
    const imageY = pass.y0 + y * pass.dy;
    if (image) return image.place(imageY, pass, pixels);
    if (spreadPass !== pass) {
      spread.fill(0);
      spreadPass = pass;
    }
    for (let k = 0, x = pass.x0; k < pass.width; k += 1, x += pass.dx) spread[x] = pixels[k]!;
    downsampler!.addPartialRow(imageY, spreadBytes);
  };
  return Object.assign(add, { finish: () => (image ?? downsampler!).finish() });
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

  /** The RGBA pixels of one row of an Adam7 pass, each put where it lies in the image. */
  place(y: number, pass: Pass, pixels: Uint32Array): void {
    const image = new Uint32Array(this.data.buffer, this.data.byteOffset, this.size.width * this.size.height);
    const rowStart = y * this.size.width;
    for (let k = 0, x = pass.x0; k < pass.width; k += 1, x += pass.dx) image[rowStart + x] = pixels[k]!;
  }

  finish(): Bitmap {
    return { width: this.size.width, height: this.size.height, data: this.data };
  }
}
