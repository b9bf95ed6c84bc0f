/**
 * The inputs of the worst-case memory benchmark (worst-case.ts): one per decoder path, at the pixel limit, made at
 * run time from a committed photo and padded to the byte limit with data every decoder skips.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { avifMaxPixels } from '../functions/lib/convert/inspect';

export interface WorstCaseInput {
  path: string;
  format: 'JPEG' | 'PNG' | 'HEIC' | 'AVIF' | 'WEBP';
  extension: string;
  width: number;
  height: number;
  /** Writes the input to `file`, padded up to `maxBytes` when the encoder made it smaller. */
  write(file: string, maxBytes: number): Promise<void>;
}

export interface Size {
  width: number;
  height: number;
}

const SOURCE_PHOTO = join(resolve(__dirname, '..'), 'test/fixtures/images/iphone6_wisteria_8mp_gps.jpg');
/** Headroom under the byte limit: padding stops this short of it. */
const PADDING_SLACK = 4096;
/** Debian's tools must find their own libraries: sharp, loaded in this process, points VIPSHOME at its own. */
const TOOL_ENV = { PATH: process.env.PATH ?? '' };

/** The largest 4:3 picture within `maxPixels`, width a multiple of 16 (whole JPEG MCUs, as cameras write). */
export function sizeAtLimit(maxPixels: number): Size {
  let width = Math.floor(Math.sqrt((maxPixels * 4) / 3) / 16) * 16;
  while (width * Math.floor((width * 3) / 4) > maxPixels) width -= 16;
  return { width, height: Math.floor((width * 3) / 4) };
}

const upscaled = new Map<string, Promise<Buffer>>();

/**
 * The committed photo at 912x684 upscaled to `size` (raw RGB, made once per size), as a new pipeline. Smooth, so that
 * even 16-bit PNGs stay near the byte limit; the decoders' memory depends on the size, not on the content.
 */
async function rawPicture(size: Size): Promise<sharp.Sharp> {
  const key = `${size.width}x${size.height}`;
  let raw = upscaled.get(key);
  if (!raw) {
    raw = sharp(SOURCE_PHOTO)
      .rotate()
      .resize(912, 684, { fit: 'fill' })
      .png()
      .toBuffer()
      .then((small) => sharp(small).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer());
    upscaled.set(key, raw);
  }
  return sharp(await raw, { raw: { ...size, channels: 3 }, limitInputPixels: false });
}

type Encode = (image: sharp.Sharp) => sharp.Sharp;

type Pad = (bytes: Buffer, maxBytes: number) => Buffer;

function sharpInput(
  path: string,
  format: 'JPEG' | 'PNG' | 'AVIF',
  size: Size,
  encode: Encode,
  pad: Pad,
): WorstCaseInput {
  return {
    path,
    format,
    extension: format === 'JPEG' ? 'jpg' : format.toLowerCase(),
    ...size,
    async write(file, maxBytes) {
      writeFileSync(file, pad(await encode(await rawPicture(size)).toBuffer(), maxBytes));
    },
  };
}

const JPEG = { quality: 95, chromaSubsampling: '4:4:4' } as const;
/** libpng's defaults with per-row filters, as image editors write PNGs. */
const PNG = { adaptiveFiltering: true, compressionLevel: 6 } as const;

export function thumbnailInputs(maxPixels: number): WorstCaseInput[] {
  const size = sizeAtLimit(maxPixels);
  const jpeg = (path: string, encode: Encode) => sharpInput(path, 'JPEG', size, encode, padJpeg);
  const png = (path: string, encode: Encode) => sharpInput(path, 'PNG', size, encode, padPng);
  return [
    jpeg('jpeg-baseline', (image) => image.jpeg(JPEG)),
    // Every coefficient of every component is held until the last scan.
    jpeg('jpeg-progressive', (image) => image.jpeg({ ...JPEG, progressive: true })),
    jpeg('jpeg-cmyk', (image) => image.toColourspace('cmyk').jpeg(JPEG)),
    jpeg('jpeg-cmyk-progressive', (image) => image.toColourspace('cmyk').jpeg({ ...JPEG, progressive: true })),
    png('png-rgb8', (image) => image.png(PNG)),
    png('png-rgba8', (image) => image.ensureAlpha(0.8).png(PNG)),
    png('png-rgb16', (image) => image.toColourspace('rgb16').png(PNG)),
    png('png-rgba16', (image) => image.ensureAlpha(0.8).toColourspace('rgb16').png(PNG)),
    png('png-grey8', (image) => image.greyscale().png(PNG)),
    png('png-grey-alpha8', (image) => image.greyscale().ensureAlpha(0.8).png(PNG)),
    png('png-palette', (image) => image.png({ ...PNG, palette: true, colours: 256, effort: 1 })),
    png('png-interlaced-rgb8', (image) => image.png({ ...PNG, progressive: true })),
    png('png-interlaced-rgba16', (image) =>
      image
        .ensureAlpha(0.8)
        .toColourspace('rgb16')
        .png({ ...PNG, progressive: true }),
    ),
  ];
}

/**
 * Phone formats: HEIC and WebP encoded by Debian's heif-enc (x265) and cwebp from a PNG of the picture, AVIF by sharp
 * (Debian's heif-enc 1.15 writes 40 MP AV1 that no decoder reads: "Error parsing OBU data" in vips too).
 */
export function conversionInputs(maxPixels: number): WorstCaseInput[] {
  const size = sizeAtLimit(maxPixels);
  const tool = (
    path: string,
    format: 'HEIC' | 'WEBP',
    args: (from: string, to: string) => [string, string[]],
    pad: Pad,
    source: Encode = (image) => image,
  ): WorstCaseInput => ({
    path,
    format,
    extension: format.toLowerCase(),
    ...size,
    async write(file, maxBytes) {
      const from = `${file}.source.png`;
      await source(await rawPicture(size))
        .png({ compressionLevel: 1 })
        .toFile(from);
      const [command, commandArgs] = args(from, file);
      try {
        execFileSync(command, commandArgs, { stdio: 'ignore', env: TOOL_ENV });
      } finally {
        rmSync(from, { force: true });
      }
      writeFileSync(file, pad(readFileSync(file), maxBytes));
    },
  });
  // Each AVIF at its own limit (avifMaxPixels), by depth and alpha.
  const avif = (path: string, options: sharp.AvifOptions, alpha?: number) =>
    sharpInput(
      path,
      'AVIF',
      sizeAtLimit(Math.min(maxPixels, avifMaxPixels(options.bitdepth ?? 8, alpha !== undefined))),
      (image) => (alpha === undefined ? image : image.ensureAlpha(alpha)).avif({ quality: 50, effort: 0, ...options }),
      padIsoBmff,
    );
  return [
    tool(
      'heic',
      'HEIC',
      (from, to) => ['heif-enc', ['-q', '50', '-p', 'preset=ultrafast', '-o', to, from]],
      padIsoBmff,
    ),
    // From a 16-bit RGBA PNG: 10-bit samples, full-resolution chroma and an alpha plane (a second HEVC picture).
    tool(
      'heic-10bit-444-alpha',
      'HEIC',
      (from, to) => [
        'heif-enc',
        ['-q', '50', '-b', '10', '-p', 'preset=ultrafast', '-p', 'chroma=444', '-o', to, from],
      ],
      padIsoBmff,
      (image) => image.ensureAlpha(0.8).toColourspace('rgb16'),
    ),
    avif('avif', {}),
    avif('avif-alpha', {}, 0.8),
    // 10-bit samples and full-resolution chroma: the largest planes libavif allocates before turning them into RGBA.
    avif('avif-10bit-444', { bitdepth: 10, chromaSubsampling: '4:4:4' }),
    // An alpha plane is a second AV1 picture, decoded into planes of its own.
    avif('avif-10bit-444-alpha', { bitdepth: 10, chromaSubsampling: '4:4:4' }, 0.8),
    tool('webp-lossy', 'WEBP', (from, to) => ['cwebp', ['-quiet', '-q', '80', from, '-o', to]], padWebp),
    tool('webp-lossless', 'WEBP', (from, to) => ['cwebp', ['-quiet', '-lossless', '-z', '0', from, '-o', to]], padWebp),
  ];
}

/** APP15 segments right after SOI: every JPEG decoder skips application segments it does not know. */
export function padJpeg(jpeg: Buffer, maxBytes: number): Buffer {
  const segments: Buffer[] = [];
  let missing = maxBytes - PADDING_SLACK - jpeg.length;
  while (missing > 4) {
    const length = Math.min(0xffff, missing - 2);
    const segment = Buffer.alloc(2 + length);
    segment.writeUInt16BE(0xffef, 0);
    segment.writeUInt16BE(length, 2);
    segments.push(segment);
    missing -= segment.length;
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** One private ancillary chunk before IEND (lower-case first letter: decoders skip it). */
export function padPng(png: Buffer, maxBytes: number): Buffer {
  const length = maxBytes - PADDING_SLACK - png.length - 12;
  if (length <= 0) return png;
  const chunk = Buffer.alloc(12 + length);
  chunk.writeUInt32BE(length, 0);
  chunk.write('paDd', 4, 'latin1');
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + length)), 8 + length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

/** A top-level `free` box at the end (ISO BMFF readers skip it). */
export function padIsoBmff(file: Buffer, maxBytes: number): Buffer {
  const length = maxBytes - PADDING_SLACK - file.length;
  if (length <= 8) return file;
  const box = Buffer.alloc(length);
  box.writeUInt32BE(length, 0);
  box.write('free', 4, 'latin1');
  return Buffer.concat([file, box]);
}

/** An unknown chunk after the image data, inside the RIFF (WebP readers skip chunks they do not know). */
export function padWebp(file: Buffer, maxBytes: number): Buffer {
  const length = (maxBytes - PADDING_SLACK - file.length - 8) & ~1;
  if (length <= 0) return file;
  const chunk = Buffer.alloc(8 + length);
  chunk.write('PADD', 0, 'latin1');
  chunk.writeUInt32LE(length, 4);
  const padded = Buffer.concat([file, chunk]);
  padded.writeUInt32LE(padded.length - 8, 4);
  return padded;
}
