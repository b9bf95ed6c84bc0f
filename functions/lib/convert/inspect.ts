import { CorruptImage, NotSupportedImageType } from '../errors';
import { runOnBuffer } from '../metadata/byte-walker';
import type { PixelSize } from '../metadata/embedded';
import { decodeMetadata } from '../metadata/exif';
import { orientationOf, readHeifLayout } from '../metadata/heif';
import { walkWebp } from '../metadata/webp';
import type { Window } from '../metadata/window';
import type { Crop } from './render';

/** What the headers say before any pixel is decoded: which decoder, how big, and how to show the result. */
export interface SourcePlan {
  decoder: 'heif' | 'avif' | 'webp';
  /** The picture as coded: what the decoder will allocate for. */
  stored: PixelSize;
  /** For decoders that do not apply the container's transforms: the crop, then the EXIF orientation to apply. */
  crop?: Crop;
  orientation: number;
  /** The most pixels this file's decoder fits in ConvertImage's memory, when fewer than the function's limit. */
  maxPixels?: number;
}

/**
 * Bytes a pixel libavif takes (measured with bench/worst-case.ts, Node included): libaom's frame buffers, libavif's
 * planes and an RGBA picture that its glue copies once more into JS, by sample depth (8, or 10 and 12) and whether an
 * alpha picture comes too (a second AV1 frame). At 40 MP they would need 1.1 to 1.9 GB of ConvertImage's 1536 MB;
 * libheif (HEIC, even 10-bit 4:4:4 with alpha: 1 GB) and libwebp (0.7 GB) fit the function's 40 MP.
 */
const AVIF_BYTES_PER_PIXEL = { eightBit: 25, wide: 35, eightBitAlpha: 40, wideAlpha: 50 } as const;
/**
 * What an AVIF decode may take: ConvertImage's budget (1536 MB less a quarter: 1152 MB) less Node and the file twice
 * (~150 MB), and ~250 MB for what an earlier invocation of a warm container has left for the collector.
 */
const AVIF_DECODE_BYTES = 720_000_000;

/** The most pixels an AVIF of this depth, with or without alpha, fits in ConvertImage's memory (whole megapixels). */
export function avifMaxPixels(bitDepth: number, alpha: boolean): number {
  const wide = bitDepth > 8;
  const bytes = alpha
    ? wide
      ? AVIF_BYTES_PER_PIXEL.wideAlpha
      : AVIF_BYTES_PER_PIXEL.eightBitAlpha
    : wide
      ? AVIF_BYTES_PER_PIXEL.wide
      : AVIF_BYTES_PER_PIXEL.eightBit;
  return Math.floor(AVIF_DECODE_BYTES / bytes / 1e6) * 1e6;
}

export function inspectSource(bytes: Uint8Array, format: 'HEIC' | 'HEIF' | 'AVIF' | 'WEBP'): SourcePlan {
  const whole: Window = { start: 0, bytes };
  if (format === 'WEBP') {
    const layout = runOnBuffer(walkWebp(whole, bytes.length), bytes);
    if (!layout.size) throw new CorruptImage('WebP has no VP8, VP8L or VP8X header giving its size');
    if (layout.animated) throw new NotSupportedImageType('WEBP (animated)');
    // WebP keeps no orientation of its own: EXIF's is the one phones write, as in their JPEGs.
    const orientation = layout.tiff ? (decodeMetadata({ tiff: layout.tiff }).orientation ?? 1) : 1;
    return { decoder: 'webp', stored: layout.size, orientation };
  }
  const layout = runOnBuffer(readHeifLayout(whole, bytes.length), bytes);
  if (!layout?.stored) throw new CorruptImage(`${format} has no primary image with a size (pitm, ispe)`);
  const clap = layout.transforms.find((transform) => transform.type === 'clap');
  const avif = layout.itemTypes.includes('av01');
  return {
    // libheif here decodes HEVC, JPEG and uncompressed items but not AV1, which libavif does.
    decoder: avif ? 'avif' : 'heif',
    stored: layout.stored,
    ...(avif ? { maxPixels: avifMaxPixels(layout.av1BitDepth ?? 8, layout.alpha === true) } : {}),
    ...(clap ? { crop: { left: clap.left, top: clap.top, width: clap.width, height: clap.height } } : {}),
    orientation: orientationOf(layout.transforms),
  };
}
