import { readdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import png from '@jimp/js-png';
import { expect } from 'chai';
import sharp from 'sharp';
import { CorruptImage } from '../../../functions/lib/errors';
import type { Bitmap } from '../../../functions/lib/thumbnail/bitmap';
import { readImageHeader } from '../../../functions/lib/thumbnail/header';
import { decodePngResized } from '../../../functions/lib/thumbnail/png-decode';
import { resizeBitmap } from '../../../functions/lib/thumbnail/resize';
import { thumbnailSize, type Size } from '../../../functions/lib/thumbnail/size';
import { FIXTURES, fixture } from './helpers';

const pngCodec = png();
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface RawPng {
  width: number;
  height: number;
  colourType: number;
  bitDepth: number;
  /** Unfiltered scanlines, without filter bytes. */
  rows: Uint8Array[];
  /** Filter type per row (cycled). */
  filters?: number[];
  palette?: Uint8Array;
  transparency?: Uint8Array;
  /** Chunks inserted before IDAT. */
  extraChunks?: [string, Uint8Array][];
  /** Replaces the deflated image data. */
  imageData?: Buffer;
  /** Adam7: the rows are stored as seven passes. */
  interlaced?: boolean;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters each scanline with the filter asked for (the encoder side of what the decoder reverses). */
function filtered(raw: RawPng): Buffer {
  const bpp = Math.max(1, (CHANNELS[raw.colourType]! * raw.bitDepth) >> 3);
  const filters = raw.filters ?? [0];
  const out: number[] = [];
  raw.rows.forEach((row, y) => {
    const up = y === 0 ? new Uint8Array(row.length) : raw.rows[y - 1]!;
    const filter = filters[y % filters.length]!;
    out.push(filter);
    for (let i = 0; i < row.length; i += 1) {
      const left = i >= bpp ? row[i - bpp]! : 0;
      const upperLeft = i >= bpp ? up[i - bpp]! : 0;
      const predictor = [0, left, up[i]!, (left + up[i]!) >> 1, paeth(left, up[i]!, upperLeft)][filter] ?? 0;
      out.push((row[i]! - predictor) & 0xff);
    }
  });
  return Buffer.from(out);
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** Copies `count` bits, most significant first, as PNG packs samples narrower than a byte. */
function copyBits(from: Uint8Array, fromBit: number, to: Uint8Array, toBit: number, count: number): void {
  for (let i = 0; i < count; i += 1) {
    const bit = (from[(fromBit + i) >> 3]! >> (7 - ((fromBit + i) & 7))) & 1;
    if (bit) to[(toBit + i) >> 3]! |= 0x80 >> ((toBit + i) & 7);
  }
}

/** The rows as Adam7's seven passes, each a small image filtered on its own (empty passes have no bytes). */
function adam7(raw: RawPng): Buffer {
  const bitsPerPixel = CHANNELS[raw.colourType]! * raw.bitDepth;
  const passes: Buffer[] = [];
  for (const [x0, y0, dx, dy] of ADAM7 as [number, number, number, number][]) {
    const width = Math.ceil((raw.width - x0) / dx);
    const height = Math.ceil((raw.height - y0) / dy);
    if (width <= 0 || height <= 0) continue;
    const rows = Array.from({ length: height }, (_, py) => {
      const row = new Uint8Array(Math.ceil((width * bitsPerPixel) / 8));
      for (let px = 0; px < width; px += 1)
        copyBits(raw.rows[y0 + py * dy]!, (x0 + px * dx) * bitsPerPixel, row, px * bitsPerPixel, bitsPerPixel);
      return row;
    });
    passes.push(filtered({ ...raw, width, height, rows }));
  }
  return Buffer.concat(passes);
}

function encodePng(raw: RawPng): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(raw.width, 0);
  ihdr.writeUInt32BE(raw.height, 4);
  ihdr.set([raw.bitDepth, raw.colourType, 0, 0, raw.interlaced ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(raw.palette ? [chunk('PLTE', raw.palette)] : []),
    ...(raw.transparency ? [chunk('tRNS', raw.transparency)] : []),
    ...(raw.extraChunks ?? []).map(([type, data]) => chunk(type, data)),
    chunk('IDAT', raw.imageData ?? deflateSync(raw.interlaced ? adam7(raw) : filtered(raw))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic noise, so every filter has something to predict. */
function noiseRows(width: number, height: number, colourType: number, bitDepth: number, seed = 1): Uint8Array[] {
  const rowBytes = Math.ceil((width * CHANNELS[colourType]! * bitDepth) / 8);
  let state = seed;
  return Array.from({ length: height }, (_, y) =>
    Uint8Array.from({ length: rowBytes }, (_, i) => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      // Half smooth gradient, half noise: filters get both runs and surprises.
      return (i + y) % 7 < 4 ? (i * 3 + y * 5) & 0xff : state >> 23;
    }),
  );
}

/** What the pngjs path gave before: full decode by jimp's codec, then the area-average resize. */
function pngjsThumbnail(bytes: Buffer, size: Size): Bitmap {
  const { width, height, data } = pngCodec.decode(bytes, { checkCRC: false });
  return resizeBitmap({ width, height, data }, size);
}

function worstDifference(a: Bitmap, b: Bitmap): number {
  expect(a.width).to.equal(b.width);
  expect(a.height).to.equal(b.height);
  let worst = 0;
  for (let i = 0; i < a.data.length; i += 1) worst = Math.max(worst, Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)));
  return worst;
}

async function decode(bytes: Buffer, size?: Size): Promise<Bitmap> {
  const header = readImageHeader(bytes, 'PNG');
  return decodePngResized(header, size ?? header);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const PALETTE_256 = Uint8Array.from({ length: 256 * 3 }, (_, i) => (i * 37) & 0xff);

describe('decodePngResized', () => {
  const kinds: [number, number[]][] = [
    [0, [1, 2, 4, 8, 16]],
    [2, [8, 16]],
    [3, [1, 2, 4, 8]],
    [4, [8, 16]],
    [6, [8, 16]],
  ];
  for (const [colourType, depths] of kinds) {
    for (const bitDepth of depths) {
      const width = 37;
      const height = 23;
      let rows = noiseRows(width, height, colourType, bitDepth);
      if (colourType === 3 && bitDepth === 8) rows = rows.map((row) => row.map((v) => v % 200));
      const raw: RawPng = {
        width,
        height,
        colourType,
        bitDepth,
        rows,
        filters: [0, 1, 2, 3, 4],
        palette: colourType === 3 ? PALETTE_256.subarray(0, 3 * Math.min(200, 2 ** bitDepth)) : undefined,
      };
      const sizes = [
        { width, height },
        { width: 10, height: 7 },
        { width: 1, height: 1 },
      ];

      it(`decodes colour type ${colourType} at ${bitDepth} bits like pngjs, at full size and resized`, async () => {
        const bytes = encodePng(raw);
        for (const size of sizes) {
          expect(
            worstDifference(await decode(bytes, size), pngjsThumbnail(bytes, size)),
            `${size.width}x${size.height}`,
          ).to.equal(0);
        }
      });

      it(`decodes colour type ${colourType} at ${bitDepth} bits interlaced (Adam7) like pngjs`, async () => {
        const bytes = encodePng({ ...raw, interlaced: true });
        const plain = encodePng(raw);
        expect(worstDifference(await decode(bytes), pngjsThumbnail(bytes, raw))).to.equal(0);
        for (const size of sizes) {
          // Passes add their pixels to the sums in another order than whole rows: float rounding, one level at most.
          const decoded = await decode(bytes, size);
          expect(worstDifference(decoded, pngjsThumbnail(bytes, size)), `${size.width}x${size.height}`).to.be.at.most(
            1,
          );
          expect(worstDifference(decoded, await decode(plain, size)), `${size.width}x${size.height}`).to.be.at.most(1);
        }
      });
    }
  }

  it('decodes interlaced images too small to fill every Adam7 pass', async () => {
    for (const [width, height] of [
      [1, 1],
      [2, 1],
      [1, 5],
      [3, 3],
      [5, 2],
      [8, 8],
      [9, 9],
    ] as const) {
      const rows = noiseRows(width, height, 6, 8, width * 10 + height);
      const bytes = encodePng({ width, height, colourType: 6, bitDepth: 8, rows, interlaced: true, filters: [4, 1] });
      const decoded = await decode(bytes);
      expect(decoded.data.equals(Buffer.concat(rows)), `${width}x${height}`).to.equal(true);
    }
  });

  for (const [filter, name] of ['None', 'Sub', 'Up', 'Average', 'Paeth'].entries()) {
    it(`reverses the ${name} filter exactly`, async () => {
      const rows = noiseRows(19, 9, 6, 8, filter + 7);
      const decoded = await decode(
        encodePng({ width: 19, height: 9, colourType: 6, bitDepth: 8, rows, filters: [filter] }),
      );
      expect(decoded.data.equals(Buffer.concat(rows))).to.equal(true);
    });
  }

  it('takes palette alpha from tRNS, entries past it opaque', async () => {
    const palette = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const rows = [Uint8Array.from([0, 1, 2])];
    const decoded = await decode(
      encodePng({
        width: 3,
        height: 1,
        colourType: 3,
        bitDepth: 8,
        rows,
        palette,
        transparency: Uint8Array.from([0, 128]),
      }),
    );
    expect([...decoded.data]).to.deep.equal([255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255]);
  });

  it('makes the grey and RGB colours tRNS names transparent, compared at the stored depth', async () => {
    const cases: [RawPng, string][] = [
      [
        {
          width: 3,
          height: 1,
          colourType: 0,
          bitDepth: 8,
          rows: [Uint8Array.from([10, 20, 30])],
          transparency: Uint8Array.from([0, 20]),
        },
        'grey 8',
      ],
      [
        {
          width: 4,
          height: 1,
          colourType: 0,
          bitDepth: 2,
          rows: [Uint8Array.from([0b00011011])],
          transparency: Uint8Array.from([0, 2]),
        },
        'grey 2',
      ],
      [
        {
          width: 2,
          height: 1,
          colourType: 0,
          bitDepth: 16,
          rows: [Uint8Array.from([1, 2, 1, 3])],
          transparency: Uint8Array.from([1, 3]),
        },
        'grey 16',
      ],
      [
        {
          width: 2,
          height: 1,
          colourType: 2,
          bitDepth: 8,
          rows: [Uint8Array.from([1, 2, 3, 1, 2, 4])],
          transparency: Uint8Array.from([0, 1, 0, 2, 0, 3]),
        },
        'RGB 8',
      ],
      [
        {
          width: 2,
          height: 1,
          colourType: 2,
          bitDepth: 16,
          rows: [Uint8Array.from([0, 1, 0, 2, 0, 3, 9, 9, 9, 9, 9, 9])],
          transparency: Uint8Array.from([9, 9, 9, 9, 9, 9]),
        },
        'RGB 16',
      ],
    ];
    for (const [raw, name] of cases) {
      const bytes = encodePng(raw);
      const decoded = await decode(bytes);
      expect(worstDifference(decoded, pngjsThumbnail(bytes, decoded)), name).to.equal(0);
      expect(
        decoded.data.some((value, i) => i % 4 === 3 && value === 0),
        name,
      ).to.equal(true);
    }
  });

  it('gives the bytes the pngjs path gave on every fixture photo and its sharp-made variants', async function () {
    this.timeout(30_000);
    const variants: [string, (image: sharp.Sharp) => sharp.Sharp][] = [
      ['as committed', (image) => image],
      ['RGBA', (image) => image.ensureAlpha(0.6).png()],
      ['64-colour palette', (image) => image.png({ palette: true, colours: 64 })],
      ['4-colour palette', (image) => image.png({ palette: true, colours: 4 })],
      ['palette with alpha', (image) => image.ensureAlpha(0.5).png({ palette: true, colours: 32 })],
      ['16-bit RGB', (image) => image.toColourspace('rgb16').png()],
      ['16-bit grey', (image) => image.toColourspace('grey16').png()],
      ['interlaced', (image) => image.png({ progressive: true })],
      ['interlaced 16-bit RGBA', (image) => image.ensureAlpha(0.6).toColourspace('rgb16').png({ progressive: true })],
      ['interlaced palette', (image) => image.png({ palette: true, colours: 16, progressive: true })],
    ];
    const photos = readdirSync(FIXTURES).filter((name) => name.endsWith('.png'));
    expect(photos.length).to.be.at.least(3);
    for (const name of photos) {
      for (const [variant, make] of variants) {
        const bytes = variant === 'as committed' ? fixture(name) : await make(sharp(fixture(name))).toBuffer();
        const header = readImageHeader(bytes, 'PNG');
        const size = thumbnailSize(header.width, header.height, 128);
        expect(
          worstDifference(await decodePngResized(header, size), pngjsThumbnail(bytes, size)),
          `${name}, ${variant}`,
        ).to.be.at.most(1);
      }
    }
  });

  describe('refuses as CorruptImage', () => {
    const rows = noiseRows(16, 16, 2, 8);
    const plain: RawPng = { width: 16, height: 16, colourType: 2, bitDepth: 8, rows, filters: [0, 1, 2, 3, 4] };

    it('image data cut short (the rows run out before the height the header declares)', async () => {
      const whole = deflateSync(filtered(plain));
      for (const length of [2, 40, Math.floor(whole.length / 2), whole.length - 5]) {
        const error = await rejection(decode(encodePng({ ...plain, imageData: whole.subarray(0, length) })));
        expect(error, `cut at ${length}`).to.be.instanceOf(CorruptImage);
        expect(error.message).to.match(/PNG could not be decoded/);
      }
    });

    it('interlaced image data cut short, counting the rows of every pass', async () => {
      const interlaced = { ...plain, interlaced: true };
      // 16x16: passes of 2, 2, 2, 4, 4, 8 and 8 rows, 30 in all; pass 7 (8 rows of 49 bytes) loses its last two.
      const whole = adam7(interlaced);
      const error = await rejection(
        decode(encodePng({ ...interlaced, imageData: deflateSync(whole.subarray(0, whole.length - 2 * 49)) })),
      );
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/28 of the 30 rows/);
    });

    it('image data that inflates to fewer rows than declared', async () => {
      const error = await rejection(
        decode(encodePng({ ...plain, imageData: deflateSync(filtered({ ...plain, rows: rows.slice(0, 15) })) })),
      );
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/15 of the 16 rows/);
    });

    it('image data that is not a zlib stream', async () => {
      const damaged = deflateSync(filtered(plain));
      damaged.fill(0xa5, 10, 30);
      expect(await rejection(decode(encodePng({ ...plain, imageData: damaged })))).to.be.instanceOf(CorruptImage);
      expect(
        await rejection(decode(encodePng({ ...plain, imageData: Buffer.from('not zlib at all') }))),
      ).to.be.instanceOf(CorruptImage);
    });

    it('an unknown filter type', async () => {
      const data = filtered(plain);
      data[5 * (16 * 3 + 1)] = 5;
      const error = await rejection(decode(encodePng({ ...plain, imageData: deflateSync(data) })));
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/row 5 has filter type 5/);
    });

    it('a palette image without PLTE, with a tRNS longer than PLTE, or an index past the palette', async () => {
      const indexed: RawPng = {
        width: 4,
        height: 1,
        colourType: 3,
        bitDepth: 8,
        rows: [Uint8Array.from([0, 1, 2, 3])],
      };
      const palette = PALETTE_256.subarray(0, 12);
      expect((await rejection(decode(encodePng(indexed)))).message).to.match(/no PLTE/);
      expect(
        (await rejection(decode(encodePng({ ...indexed, palette, transparency: new Uint8Array(5) })))).message,
      ).to.match(/tRNS/);
      const error = await rejection(decode(encodePng({ ...indexed, palette: palette.subarray(0, 9) })));
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/palette index 3/);
    });

    it('an unknown critical chunk', async () => {
      const error = await rejection(decode(encodePng({ ...plain, extraChunks: [['ZZZZ', new Uint8Array(4)]] })));
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/critical chunk ZZZZ/);
      await decode(encodePng({ ...plain, extraChunks: [['zzZz', new Uint8Array(4)]] }));
    });
  });

  it('stops inflating at the last row, so image data far larger than declared cannot expand in memory', async () => {
    const raw: RawPng = {
      width: 100,
      height: 100,
      colourType: 2,
      bitDepth: 8,
      rows: [],
      imageData: deflateSync(Buffer.alloc(256 * 2 ** 20)),
    };
    const before = process.memoryUsage().rss;
    const decoded = await decode(encodePng(raw), { width: 10, height: 10 });
    expect(decoded.data.every((value, i) => value === (i % 4 === 3 ? 255 : 0))).to.equal(true);
    expect(process.memoryUsage().rss - before).to.be.below(64 * 2 ** 20);
  });
});
