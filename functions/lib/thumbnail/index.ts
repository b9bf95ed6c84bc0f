import { ImageTooLarge } from '../errors';
import type { SupportedFormat } from '../image-metadata';
import { decodeImage } from './decode';
import { encodeBitmap } from './encode';
import { readImageHeader } from './header';
import { applyOrientation, normalizeOrientation } from './orientation';
import { resizeBitmap } from './resize';
import { isTransposed, thumbnailSize, transpose } from './size';

export { thumbnailSize } from './size';

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels. */
  maxSize: number;
  /** Largest width x height decoded; anything bigger is refused before decoding (decompression bomb guard). */
  maxPixels: number;
  /** 1..100; default 80 (jimp's own default, 100, makes thumbnails several times larger for no visible gain). */
  jpegQuality?: number;
}

export interface SourceImage {
  bytes: Uint8Array;
  format: SupportedFormat;
  /** As displayed, from the metadata step (swapped for orientations 5..8). */
  width: number;
  height: number;
  /** EXIF orientation 1..8 from the metadata step; absent means as stored. */
  orientation?: number;
}

export interface Thumbnail {
  body: Uint8Array;
  width: number;
  height: number;
  format: SupportedFormat;
  contentType: 'image/jpeg' | 'image/png';
}

export const DEFAULT_JPEG_QUALITY = 80;

const CONTENT_TYPES = { JPEG: 'image/jpeg', PNG: 'image/png' } as const;

function validateOptions(options: ThumbnailOptions): number {
  const quality = options.jpegQuality ?? DEFAULT_JPEG_QUALITY;
  if (!Number.isSafeInteger(options.maxSize) || options.maxSize < 1)
    throw new RangeError(`maxSize must be a positive integer, got ${options.maxSize}`);
  if (!(options.maxPixels > 0)) throw new RangeError(`maxPixels must be positive, got ${options.maxPixels}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw new RangeError(`jpegQuality must be an integer in 1..100, got ${quality}`);
  return quality;
}

/**
 * Makes the thumbnail of a JPEG or PNG: display orientation, long side within maxSize (never upscaled), same format,
 * no metadata. Throws ImageTooLarge before decoding anything over maxPixels and CorruptImage for undecodable bytes.
 */
export async function createThumbnail(source: SourceImage, options: ThumbnailOptions): Promise<Thumbnail> {
  const jpegQuality = validateOptions(options);
  if (source.width * source.height > options.maxPixels) {
    throw new ImageTooLarge(source.width, source.height, options.maxPixels);
  }
  // The dimensions passed in were read from these bytes by another step; the header is re-read because it is what
  // the decoder will allocate for.
  const header = readImageHeader(source.bytes, source.format);
  if (header.width * header.height > options.maxPixels) {
    throw new ImageTooLarge(header.width, header.height, options.maxPixels);
  }
  const orientation = normalizeOrientation(source.orientation);
  const displayed = isTransposed(orientation) ? transpose(header) : header;
  const target = thumbnailSize(displayed.width, displayed.height, options.maxSize);
  const storedTarget = isTransposed(orientation) ? transpose(target) : target;

  const decoded = await decodeImage(source.bytes, source.format, header, storedTarget);
  const thumbnail = applyOrientation(resizeBitmap(decoded, storedTarget), orientation);
  return {
    body: encodeBitmap(thumbnail, source.format, jpegQuality),
    width: thumbnail.width,
    height: thumbnail.height,
    format: source.format,
    contentType: CONTENT_TYPES[source.format],
  };
}
