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
  return {
    // libheif here decodes HEVC, JPEG and uncompressed items but not AV1, which libavif does.
    decoder: layout.itemTypes.includes('av01') ? 'avif' : 'heif',
    stored: layout.stored,
    ...(clap ? { crop: { left: clap.left, top: clap.top, width: clap.width, height: clap.height } } : {}),
    orientation: orientationOf(layout.transforms),
  };
}
