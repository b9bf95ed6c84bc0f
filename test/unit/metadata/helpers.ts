/** Builders for the bytes the metadata tests need: fixture files, JPEG segments, PNG chunks, EXIF TIFF blocks. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadRange } from '../../../functions/lib/metadata';

export const FIXTURES_DIR = join(__dirname, '../../fixtures/images');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, name)));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** A ReadRange over an in-memory object that records every call, as S3 would be asked. */
export function countingReader(object: Uint8Array): { read: ReadRange; calls: [number, number][] } {
  const calls: [number, number][] = [];
  const read: ReadRange = async (start, endExclusive) => {
    calls.push([start, endExclusive]);
    return object.slice(start, endExclusive);
  };
  return { read, calls };
}

/** Deterministic bytes, so a failing fuzz case can be replayed. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

// ---- JPEG ----

export function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  const header = Uint8Array.of(0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff);
  return concat(header, payload);
}

export function startOfFrame(width: number, height: number, marker = 0xc0): Uint8Array {
  return jpegSegment(marker, Uint8Array.of(8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0));
}

/** SOI, the given segments, then a frame header and EOI: enough for a parser that stops at SOF. */
export function jpegWith(segments: Uint8Array[], width = 640, height = 480): Uint8Array {
  return concat(Uint8Array.of(0xff, 0xd8), ...segments, startOfFrame(width, height), Uint8Array.of(0xff, 0xd9));
}

export const exifSegment = (tiff: Uint8Array): Uint8Array => jpegSegment(0xe1, concat(ascii('Exif\0\0'), tiff));

export const xmpSegment = (xmp: string): Uint8Array =>
  jpegSegment(0xe1, concat(ascii('http://ns.adobe.com/xap/1.0/\0'), new Uint8Array(Buffer.from(xmp, 'utf8'))));

/** Splits a JPEG after its first segment (APP0 or APP1) to insert more. */
export function insertAfterFirstSegment(jpeg: Uint8Array, ...segments: Uint8Array[]): Uint8Array {
  const firstEnd = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
  return concat(jpeg.subarray(0, firstEnd), ...segments, jpeg.subarray(firstEnd));
}

// ---- PNG ----

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array, declaredLength = data.length): Uint8Array {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(declaredLength, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return new Uint8Array(out);
}

export function ihdr(width: number, height: number): Uint8Array {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 2, 0, 0, 0], 8);
  return pngChunk('IHDR', new Uint8Array(data));
}

export interface PngChunk {
  type: string;
  bytes: Uint8Array;
}

export function pngChunks(png: Uint8Array): PngChunk[] {
  const chunks: PngChunk[] = [];
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at + 12 <= png.length;) {
    const end = at + 12 + view.readUInt32BE(at);
    chunks.push({ type: view.toString('latin1', at + 4, at + 8), bytes: png.subarray(at, end) });
    at = end;
  }
  return chunks;
}

export const pngFrom = (chunks: PngChunk[]): Uint8Array => concat(PNG_SIGNATURE, ...chunks.map((c) => c.bytes));

// ---- EXIF (a little-endian TIFF structure, written the way cameras do) ----

export type TiffValue =
  { ascii: string } | { short: number[] } | { long: number[] } | { rational: [number, number][] } | { byte: number[] };

export type Ifd = Record<number, TiffValue>;

const EXIF_IFD_POINTER = 0x8769;
const GPS_IFD_POINTER = 0x8825;

export function exifTiff(ifds: { ifd0?: Ifd; exif?: Ifd; gps?: Ifd }): Uint8Array {
  const ifd0: Ifd = { ...ifds.ifd0 };
  const order: Ifd[] = [ifd0];
  if (ifds.exif) {
    ifd0[EXIF_IFD_POINTER] = { long: [0] };
    order.push(ifds.exif);
  }
  if (ifds.gps) {
    ifd0[GPS_IFD_POINTER] = { long: [0] };
    order.push(ifds.gps);
  }
  const ifdSize = (ifd: Ifd) => 2 + 12 * Object.keys(ifd).length + 4;
  const offsets: number[] = [];
  let cursor = 8;
  for (const ifd of order) {
    offsets.push(cursor);
    cursor += ifdSize(ifd);
  }
  if (ifds.exif) ifd0[EXIF_IFD_POINTER] = { long: [offsets[1]!] };
  if (ifds.gps) ifd0[GPS_IFD_POINTER] = { long: [offsets[ifds.exif ? 2 : 1]!] };

  const out = Buffer.alloc(64 * 1024);
  out.write('II*\0', 0, 'latin1');
  out.writeUInt32LE(8, 4);
  let data = cursor;
  order.forEach((ifd, index) => {
    let at = offsets[index]!;
    const tags = Object.keys(ifd)
      .map(Number)
      .sort((a, b) => a - b);
    out.writeUInt16LE(tags.length, at);
    at += 2;
    for (const tag of tags) {
      const { type, count, bytes } = encode(ifd[tag]!);
      out.writeUInt16LE(tag, at);
      out.writeUInt16LE(type, at + 2);
      out.writeUInt32LE(count, at + 4);
      if (bytes.length <= 4) {
        out.set(bytes, at + 8);
      } else {
        out.writeUInt32LE(data, at + 8);
        out.set(bytes, data);
        data += bytes.length + (bytes.length % 2);
      }
      at += 12;
    }
    out.writeUInt32LE(0, at);
  });
  return new Uint8Array(out.subarray(0, data));
}

function encode(value: TiffValue): { type: number; count: number; bytes: Buffer } {
  if ('ascii' in value) {
    const bytes = Buffer.from(`${value.ascii}\0`, 'latin1');
    return { type: 2, count: bytes.length, bytes };
  }
  if ('byte' in value) return { type: 1, count: value.byte.length, bytes: Buffer.from(value.byte) };
  if ('short' in value) {
    const bytes = Buffer.alloc(2 * value.short.length);
    value.short.forEach((n, i) => bytes.writeUInt16LE(n, 2 * i));
    return { type: 3, count: value.short.length, bytes };
  }
  if ('long' in value) {
    const bytes = Buffer.alloc(4 * value.long.length);
    value.long.forEach((n, i) => bytes.writeUInt32LE(n, 4 * i));
    return { type: 4, count: value.long.length, bytes };
  }
  const bytes = Buffer.alloc(8 * value.rational.length);
  value.rational.forEach(([n, d], i) => {
    bytes.writeUInt32LE(n, 8 * i);
    bytes.writeUInt32LE(d, 8 * i + 4);
  });
  return { type: 5, count: value.rational.length, bytes };
}

/** EXIF tag numbers the tests write. */
export const TAG = {
  Make: 0x010f,
  Model: 0x0110,
  Orientation: 0x0112,
  DateTime: 0x0132,
  ExposureTime: 0x829a,
  FNumber: 0x829d,
  ISO: 0x8827,
  DateTimeOriginal: 0x9003,
  DateTimeDigitized: 0x9004,
  OffsetTimeOriginal: 0x9011,
  FocalLength: 0x920a,
  MakerNote: 0x927c,
  LensModel: 0xa434,
  GPSLatitudeRef: 0x0001,
  GPSLatitude: 0x0002,
  GPSLongitudeRef: 0x0003,
  GPSLongitude: 0x0004,
  GPSAltitudeRef: 0x0005,
  GPSAltitude: 0x0006,
} as const;

export function xmpPacket(properties: string): string {
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/"' +
    ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"' +
    ' xmlns:exifEX="http://cipa.jp/exif/1.0/">' +
    properties +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}
