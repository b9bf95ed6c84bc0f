import { createHash } from 'node:crypto';
import { Jimp } from 'jimp';
import type { ImageKind, PlannedVersion } from './plan';

/**
 * The photos of a fault run: each version of a key is one flat colour of the palette in its own shape, so a
 * thumbnail tells which version it was made from by its colour (JPEG keeps a flat colour within a few levels), and
 * by its shape.
 */
export const PALETTE: readonly [number, number, number][] = [
  [220, 30, 30],
  [30, 190, 40],
  [40, 60, 220],
  [230, 200, 20],
];

const MIME: Record<ImageKind, 'image/jpeg' | 'image/png' | 'image/gif'> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
};

export interface VersionImage {
  bytes: Buffer;
  contentType: string;
  /** What S3 answers as the object's ETag (the MD5 of a single-part upload, quoted). */
  etag: string;
}

const made = new Map<string, Promise<VersionImage>>();

export function imageOf(version: PlannedVersion): Promise<VersionImage> {
  const id = `${version.kind}:${version.width}x${version.height}:${version.color}`;
  let image = made.get(id);
  if (!image) {
    image = encode(version);
    made.set(id, image);
  }
  return image;
}

async function encode({ kind, width, height, color }: PlannedVersion): Promise<VersionImage> {
  const [r, g, b] = PALETTE[color % PALETTE.length] as [number, number, number];
  const rgba = ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
  const bytes = await new Jimp({ width, height, color: rgba }).getBuffer(MIME[kind]);
  return { bytes, contentType: MIME[kind], etag: etagOf(bytes) };
}

export function etagOf(bytes: Uint8Array): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

/** ETags as S3 answers them, or as events carry them (without quotes), compare equal. */
export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.replace(/"/g, '') === b.replace(/"/g, '');
}

export interface SeenImage {
  width: number;
  height: number;
  /** The palette colour nearest to the image's mean colour, or undefined if none is near. */
  color: number | undefined;
}

/** Decodes a thumbnail (JPEG or PNG) and tells its shape and which palette colour it shows. */
export async function seeImage(bytes: Uint8Array): Promise<SeenImage> {
  const image = await Jimp.read(Buffer.from(bytes));
  const { data, width, height } = image.bitmap;
  const sum = [0, 0, 0];
  for (let offset = 0; offset < data.length; offset += 4) {
    for (let channel = 0; channel < 3; channel += 1) sum[channel] = (sum[channel] ?? 0) + (data[offset + channel] ?? 0);
  }
  const pixels = Math.max(1, width * height);
  const mean = sum.map((total) => total / pixels);
  let best: number | undefined;
  let bestDistance = 40;
  PALETTE.forEach((entry, index) => {
    const distance = Math.hypot(...entry.map((value, channel) => value - (mean[channel] ?? 0)));
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return { width, height, color: best };
}
