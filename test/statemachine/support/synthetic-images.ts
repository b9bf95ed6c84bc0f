/** Byte strings for bad-input tests: only the headers a format sniffer or a bomb guard looks at. */

const ascii = (text: string) => Array.from(Buffer.from(text, 'latin1'));
const u16 = (value: number) => [(value >>> 8) & 0xff, value & 0xff];
const u32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/**
 * A baseline JPEG whose frame header claims width x height (at most 65535 each: SOF stores 16-bit sizes), with a
 * scan of no real data: enough for every header reader, nothing any decoder could use.
 */
export function jpegClaiming(width: number, height: number): Uint8Array {
  const sof = [0xff, 0xc0, ...u16(17), 8, ...u16(height), ...u16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, ...u16(12), 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0];
  return new Uint8Array([0xff, 0xd8, ...sof, ...sos, 0x00, 0x00, 0xff, 0xd9]);
}

/** A PNG whose IHDR claims width x height (32-bit sizes, so 100000 x 100000 fits), with valid CRCs and no pixels. */
export function pngClaiming(width: number, height: number): Uint8Array {
  const ihdr = chunk('IHDR', [...u32(width), ...u32(height), 8, 2, 0, 0, 0]);
  const idat = chunk('IDAT', [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...ihdr, ...idat, ...chunk('IEND', [])]);
}

/** A lossy WebP's RIFF header and VP8 key frame start (320 x 240), then zeros. */
export function webpHeader(): Uint8Array {
  const frame = [0x9d, 0x01, 0x2a, ...[320, 240].flatMap((size) => [size & 0xff, size >>> 8])];
  const vp8 = [...ascii('VP8 '), 30, 0, 0, 0, 0x10, 0x02, 0x00, ...frame, ...new Array(20).fill(0)];
  return new Uint8Array([...ascii('RIFF'), ...u32le(4 + vp8.length), ...ascii('WEBP'), ...vp8]);
}

/** The ftyp box of an iPhone HEIC photo, then zeros. */
export function heicHeader(): Uint8Array {
  return new Uint8Array([...u32(24), ...ascii('ftypheic'), ...u32(0), ...ascii('mif1heic'), ...new Array(40).fill(0)]);
}

function u32le(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function chunk(type: string, data: number[]): number[] {
  const body = [...ascii(type), ...data];
  return [...u32(data.length), ...body, ...u32(crc32(body))];
}

function crc32(bytes: number[]): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
