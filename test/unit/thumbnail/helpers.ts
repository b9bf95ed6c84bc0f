import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export const FIXTURES = join(__dirname, '../../fixtures/images');

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** An 800x600 photo with no symmetry, so every wrong rotation or flip shows. */
export const PHOTO = 'nikon-e950_field-gun.jpg';

export interface Raw {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

/** Decodes strictly (any libjpeg/libpng warning fails) to raw pixels, as stored: no EXIF rotation. */
export async function raw(bytes: Uint8Array, options: { alpha?: boolean } = {}): Promise<Raw> {
  const image = sharp(bytes, { failOn: 'warning' });
  const { data, info } = await (options.alpha ? image.ensureAlpha() : image.removeAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

/**
 * Mean absolute difference (0..255) of two images after both are reduced to a coarse grid: insensitive to resampling
 * and compression detail, very sensitive to a rotation, flip or colour swap.
 */
export async function coarseDifference(
  a: Uint8Array,
  b: Uint8Array,
  grid = { width: 12, height: 12 },
): Promise<number> {
  const coarse = (bytes: Uint8Array) =>
    sharp(bytes).removeAlpha().resize(grid.width, grid.height, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  const [x, y] = await Promise.all([coarse(a), coarse(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i += 1) sum += Math.abs((x[i] ?? 0) - (y[i] ?? 0));
  return sum / x.length;
}

/** Marker codes of every segment before the first scan of a JPEG. */
export function jpegHeaderMarkers(bytes: Uint8Array): number[] {
  const markers: number[] = [];
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1] ?? 0;
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + (((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
  }
  return markers;
}

/** Chunk types of a PNG in file order. */
export function pngChunkTypes(bytes: Uint8Array): string[] {
  const types: string[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 8; at + 8 <= view.length; at += 12 + view.readUInt32BE(at)) {
    types.push(view.toString('latin1', at + 4, at + 8));
  }
  return types;
}

/** Offset of the length field of the first top-level JPEG segment whose marker passes the test (not one inside EXIF). */
export function segmentOffset(bytes: Uint8Array, isWanted: (marker: number) => boolean): number {
  let at = 2;
  while (at + 4 <= bytes.length) {
    const marker = bytes[at + 1] ?? 0;
    if (isWanted(marker)) return at + 2;
    at += 2 + (((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
  }
  throw new Error('no such segment');
}

export function startOfFrameOffset(bytes: Uint8Array): number {
  return segmentOffset(bytes, (marker) => marker >= 0xc0 && marker <= 0xc2);
}

/** A copy of the JPEG whose frame header claims other dimensions; the pixels are unchanged. */
export function withJpegDimensions(bytes: Uint8Array, width: number, height: number): Buffer {
  const copy = Buffer.from(bytes);
  const sof = startOfFrameOffset(copy);
  copy.writeUInt16BE(height, sof + 3);
  copy.writeUInt16BE(width, sof + 5);
  return copy;
}

/** Recomputes the CRC of the chunk starting at `at`, as a forger would after editing it. */
export function fixPngChunkCrc(png: Buffer, at: number): void {
  const length = png.readUInt32BE(at);
  png.writeUInt32BE(crc32(png.subarray(at + 4, at + 8 + length)), at + 8 + length);
}

/** A copy of the PNG whose IHDR claims other dimensions, with a valid CRC. */
export function withPngDimensions(bytes: Uint8Array, width: number, height: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(width, 16);
  copy.writeUInt32BE(height, 20);
  fixPngChunkCrc(copy, 8);
  return copy;
}

/** The photo tagged with an EXIF orientation; pixels stay as stored. */
export async function orientedJpeg(orientation: number, options: { progressive?: boolean } = {}): Promise<Buffer> {
  return sharp(fixture(PHOTO))
    .jpeg({ quality: 90, progressive: options.progressive ?? false })
    .withMetadata({ orientation })
    .toBuffer();
}

/** What sharp makes of the same input: the reference for sizes and orientation. */
export async function sharpThumbnail(bytes: Uint8Array, maxSize: number): Promise<Buffer> {
  return sharp(bytes).rotate().resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
}
