import type { Bitmap } from './bitmap';

/**
 * Baseline JPEG encoder (JFIF, YCbCr 4:2:0, standard tables of ITU T.81 annex K). jimp's encoder (jpeg-js) rebuilds
 * its 64K-entry tables on every call and collects the output in a JS array: 15-80 ms and heap churn per thumbnail.
 * Here the tables are built once per process and a thumbnail takes a few ms. 4:2:0 is what sharp and libjpeg write at
 * quality < 90. Nothing but pixels is written: no EXIF, no ICC.
 */

/** Position in the 8x8 block (row-major) of the k-th coefficient in zig-zag order. */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

const LUMINANCE_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMINANCE_QUANT = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

interface HuffmanSpec {
  /** Number of codes of each length 1..16. */
  counts: number[];
  symbols: number[];
}

const DC_LUMINANCE: HuffmanSpec = {
  counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const DC_CHROMINANCE: HuffmanSpec = {
  counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const AC_LUMINANCE: HuffmanSpec = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
    0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
    0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65,
    0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
    0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
    0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
const AC_CHROMINANCE: HuffmanSpec = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32,
    0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16,
    0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86,
    0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
    0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
    0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

interface HuffmanTable {
  codes: Uint16Array;
  lengths: Uint8Array;
}

/** Canonical codes (T.81 annex C), indexed by symbol. */
function huffmanTable(spec: HuffmanSpec): HuffmanTable {
  const codes = new Uint16Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let next = 0;
  spec.counts.forEach((count, index) => {
    for (let i = 0; i < count; i += 1) {
      const symbol = spec.symbols[next++] ?? 0;
      codes[symbol] = code++;
      lengths[symbol] = index + 1;
    }
    code <<= 1;
  });
  return { codes, lengths };
}

const TABLES = {
  dcLuminance: huffmanTable(DC_LUMINANCE),
  acLuminance: huffmanTable(AC_LUMINANCE),
  dcChrominance: huffmanTable(DC_CHROMINANCE),
  acChrominance: huffmanTable(AC_CHROMINANCE),
};

/** libjpeg's jpeg_quality_scaling, so quality N here means what it means to libjpeg and sharp. */
function quantTable(base: number[], quality: number): Uint8Array {
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
  return Uint8Array.from(base, (value) => Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))));
}

const AAN_SCALE = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** Divisors for the AAN float DCT's output, folding in its per-coefficient scale (libjpeg jcdctmgr.c). */
function dctDivisors(quant: Uint8Array): Float32Array {
  return Float32Array.from(quant, (q, i) => 1 / (q * (AAN_SCALE[i >> 3] ?? 1) * (AAN_SCALE[i & 7] ?? 1) * 8));
}

interface QuantTables {
  luminance: Uint8Array;
  chrominance: Uint8Array;
  luminanceDivisors: Float32Array;
  chrominanceDivisors: Float32Array;
}

const quantByQuality = new Map<number, QuantTables>();

function quantTables(quality: number): QuantTables {
  let tables = quantByQuality.get(quality);
  if (tables === undefined) {
    const luminance = quantTable(LUMINANCE_QUANT, quality);
    const chrominance = quantTable(CHROMINANCE_QUANT, quality);
    tables = {
      luminance,
      chrominance,
      luminanceDivisors: dctDivisors(luminance),
      chrominanceDivisors: dctDivisors(chrominance),
    };
    quantByQuality.set(quality, tables);
  }
  return tables;
}

/** Growable byte sink with the entropy coder's bit buffer and 0xFF stuffing. */
class JpegWriter {
  private bytes: Uint8Array;
  private length = 0;
  private bitBuffer = 0;
  private bitCount = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  word(value: number): void {
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  array(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i += 1) this.byte(values[i] ?? 0);
  }

  bits(value: number, count: number): void {
    this.bitBuffer = ((this.bitBuffer << count) | (value & ((1 << count) - 1))) & 0xffffff;
    this.bitCount += count;
    while (this.bitCount >= 8) {
      const byte = (this.bitBuffer >> (this.bitCount - 8)) & 0xff;
      this.byte(byte);
      if (byte === 0xff) this.byte(0);
      this.bitCount -= 8;
    }
  }

  /** Pads the last byte with 1 bits, as T.81 F.1.2.3 asks. */
  flushBits(): void {
    if (this.bitCount > 0) this.bits(0x7f, 8 - this.bitCount);
  }

  result(): Buffer {
    return Buffer.from(this.bytes.buffer, 0, this.length);
  }
}

function writeHeaders(out: JpegWriter, width: number, height: number, quant: QuantTables): void {
  out.word(0xffd8);
  out.word(0xffe0); // JFIF APP0: version 1.01, no density unit, 1:1
  out.word(16);
  out.array([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  out.word(0xffdb);
  out.word(2 + 2 * 65);
  for (const [id, table] of [
    [0, quant.luminance],
    [1, quant.chrominance],
  ] as const) {
    out.byte(id);
    for (let k = 0; k < 64; k += 1) out.byte(table[ZIGZAG[k] ?? 0] ?? 1);
  }
  out.word(0xffc0);
  out.word(17);
  out.array([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  out.word(0xffc4);
  const specs = [
    [0x00, DC_LUMINANCE],
    [0x10, AC_LUMINANCE],
    [0x01, DC_CHROMINANCE],
    [0x11, AC_CHROMINANCE],
  ] as const;
  out.word(2 + specs.reduce((sum, [, spec]) => sum + 17 + spec.symbols.length, 0));
  for (const [classAndId, spec] of specs) {
    out.byte(classAndId);
    out.array(spec.counts);
    out.array(spec.symbols);
  }
  out.word(0xffda);
  out.word(12);
  out.array([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

/** In-place AAN forward DCT (libjpeg jfdctflt.c) of an 8x8 block, rows then columns. */
function forwardDct(block: Float32Array): void {
  for (let pass = 0; pass < 2; pass += 1) {
    const step = pass === 0 ? 1 : 8;
    const stride = pass === 0 ? 8 : 1;
    for (let line = 0; line < 8; line += 1) {
      const o = line * stride;
      const d0 = block[o]!,
        d1 = block[o + step]!,
        d2 = block[o + 2 * step]!,
        d3 = block[o + 3 * step]!;
      const d4 = block[o + 4 * step]!,
        d5 = block[o + 5 * step]!,
        d6 = block[o + 6 * step]!,
        d7 = block[o + 7 * step]!;
      const tmp0 = d0 + d7,
        tmp7 = d0 - d7,
        tmp1 = d1 + d6,
        tmp6 = d1 - d6;
      const tmp2 = d2 + d5,
        tmp5 = d2 - d5,
        tmp3 = d3 + d4,
        tmp4 = d3 - d4;
      const tmp10 = tmp0 + tmp3,
        tmp13 = tmp0 - tmp3,
        tmp11 = tmp1 + tmp2,
        tmp12 = tmp1 - tmp2;
      block[o] = tmp10 + tmp11;
      block[o + 4 * step] = tmp10 - tmp11;
      const z1 = (tmp12 + tmp13) * 0.707106781;
      block[o + 2 * step] = tmp13 + z1;
      block[o + 6 * step] = tmp13 - z1;
      const odd10 = tmp4 + tmp5,
        odd11 = tmp5 + tmp6,
        odd12 = tmp6 + tmp7;
      const z5 = (odd10 - odd12) * 0.382683433;
      const z2 = 0.5411961 * odd10 + z5;
      const z4 = 1.306562965 * odd12 + z5;
      const z3 = odd11 * 0.707106781;
      const z11 = tmp7 + z3,
        z13 = tmp7 - z3;
      block[o + 5 * step] = z13 + z2;
      block[o + 3 * step] = z13 - z2;
      block[o + step] = z11 + z4;
      block[o + 7 * step] = z11 - z4;
    }
  }
}

/** Number of bits of |value|: the JPEG "category" (SSSS). */
function category(value: number): number {
  return 32 - Math.clz32(value < 0 ? -value : value);
}

const quantized = new Int32Array(64);

/** DCT, quantisation and Huffman coding of one block; returns its DC for the next block's prediction. */
function encodeBlock(
  out: JpegWriter,
  block: Float32Array,
  divisors: Float32Array,
  previousDc: number,
  dc: HuffmanTable,
  ac: HuffmanTable,
): number {
  forwardDct(block);
  for (let k = 0; k < 64; k += 1) {
    const at = ZIGZAG[k]!;
    quantized[k] = Math.round(block[at]! * divisors[at]!);
  }
  const diff = quantized[0]! - previousDc;
  const dcSize = category(diff);
  out.bits(dc.codes[dcSize]!, dc.lengths[dcSize]!);
  if (dcSize > 0) out.bits(diff < 0 ? diff - 1 : diff, dcSize);
  let run = 0;
  for (let k = 1; k < 64; k += 1) {
    const value = quantized[k]!;
    if (value === 0) {
      run += 1;
      continue;
    }
    while (run > 15) {
      out.bits(ac.codes[0xf0]!, ac.lengths[0xf0]!);
      run -= 16;
    }
    const size = category(value);
    const symbol = (run << 4) | size;
    out.bits(ac.codes[symbol]!, ac.lengths[symbol]!);
    out.bits(value < 0 ? value - 1 : value, size);
    run = 0;
  }
  if (run > 0) out.bits(ac.codes[0]!, ac.lengths[0]!);
  return quantized[0]!;
}

/** 4:2:0: one chroma sample is the mean of a 2x2 square of the full-resolution plane. */
function loadChromaBlock(block: Float32Array, plane: Float32Array, origin: number, planeWidth: number): void {
  for (let i = 0; i < 64; i += 1) {
    const at = origin + (i >> 3) * 2 * planeWidth + (i & 7) * 2;
    block[i] = (plane[at]! + plane[at + 1]! + plane[at + planeWidth]! + plane[at + planeWidth + 1]!) / 4;
  }
}

/** Encodes the RGB of an RGBA bitmap (alpha is ignored) as a baseline JPEG. */
export function encodeJpeg(bitmap: Bitmap, quality: number): Buffer {
  const { width, height, data } = bitmap;
  const rowBytes = width * 4;
  return encodeJpegRows(width, height, quality, (y) => data.subarray(y * rowBytes, (y + 1) * rowBytes));
}

/**
 * Encodes a picture given row by row, top to bottom: `readRow(y)` returns row y as `width` RGBA pixels (alpha is
 * ignored) and may reuse its array between calls. Only one MCU row (16 picture rows) of the colour planes exists at a
 * time, so a 12 MP picture costs kilobytes of planes instead of 150 MB.
 */
export function encodeJpegRows(
  width: number,
  height: number,
  quality: number,
  readRow: (y: number) => Uint8Array,
): Buffer {
  const quant = quantTables(quality);
  const mcuColumns = Math.ceil(width / 16);
  const mcuRows = Math.ceil(height / 16);
  // Planes padded to whole MCUs by repeating the last column and row, so edge blocks do not ring.
  const planeWidth = mcuColumns * 16;
  const y = new Float32Array(planeWidth * 16);
  const cb = new Float32Array(planeWidth * 16);
  const cr = new Float32Array(planeWidth * 16);
  const out = new JpegWriter(4096 + width * height);
  writeHeaders(out, width, height, quant);
  const block = new Float32Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow += 1) {
    for (let row = 0; row < 16; row += 1) {
      const data = readRow(Math.min(mcuRow * 16 + row, height - 1));
      for (let column = 0; column < planeWidth; column += 1) {
        const p = Math.min(column, width - 1) * 4;
        const r = data[p]!,
          g = data[p + 1]!,
          b = data[p + 2]!;
        const at = row * planeWidth + column;
        y[at] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
        cb[at] = -0.168735892 * r - 0.331264108 * g + 0.5 * b;
        cr[at] = 0.5 * r - 0.418687589 * g - 0.081312411 * b;
      }
    }
    for (let mcuColumn = 0; mcuColumn < mcuColumns; mcuColumn += 1) {
      const left = mcuColumn * 16;
      for (let part = 0; part < 4; part += 1) {
        const origin = (part >> 1) * 8 * planeWidth + left + (part & 1) * 8;
        for (let i = 0; i < 64; i += 1) block[i] = y[origin + (i >> 3) * planeWidth + (i & 7)]!;
        dcY = encodeBlock(out, block, quant.luminanceDivisors, dcY, TABLES.dcLuminance, TABLES.acLuminance);
      }
      loadChromaBlock(block, cb, left, planeWidth);
      dcCb = encodeBlock(out, block, quant.chrominanceDivisors, dcCb, TABLES.dcChrominance, TABLES.acChrominance);
      loadChromaBlock(block, cr, left, planeWidth);
      dcCr = encodeBlock(out, block, quant.chrominanceDivisors, dcCr, TABLES.dcChrominance, TABLES.acChrominance);
    }
  }
  out.flushBits();
  out.word(0xffd9);
  return out.result();
}
