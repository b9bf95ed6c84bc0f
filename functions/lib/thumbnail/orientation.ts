import type { Bitmap } from './bitmap';
import { isTransposed } from './size';

/** Anything but an EXIF orientation 1..8 (absent, 0, garbage) displays the pixels as stored, as browsers do. */
export function normalizeOrientation(orientation: number | undefined): number {
  return orientation !== undefined && Number.isInteger(orientation) && orientation >= 1 && orientation <= 8
    ? orientation
    : 1;
}

/**
 * Returns the bitmap as it is displayed for the EXIF orientation (http://sylvana.net/jpegcrop/exif_orientation.html).
 * Every decoder path goes through this one function so a JPEG is never rotated twice or not at all: jimp's own
 * automatic rotation is bypassed by decoding through its format plugins.
 */
export function applyOrientation(bitmap: Bitmap, orientation: number): Bitmap {
  if (orientation === 1) return bitmap;
  const { width: sw, height: sh } = bitmap;
  const transposed = isTransposed(orientation);
  const width = transposed ? sh : sw;
  const height = transposed ? sw : sh;
  const source = pixelsOf(bitmap.data);
  const data = Buffer.alloc(bitmap.data.length);
  const target = pixelsOf(data);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      target[y * width + x] = source[storedIndex(orientation, x, y, sw, sh)] ?? 0;
    }
  }
  return { width, height, data };
}

/** Where the displayed pixel (x, y) lives in the stored sw x sh bitmap. */
export function storedIndex(orientation: number, x: number, y: number, sw: number, sh: number): number {
  switch (orientation) {
    case 2:
      return y * sw + (sw - 1 - x);
    case 3:
      return (sh - 1 - y) * sw + (sw - 1 - x);
    case 4:
      return (sh - 1 - y) * sw + x;
    case 5:
      return x * sw + y;
    case 6:
      return (sh - 1 - x) * sw + y;
    case 7:
      return (sh - 1 - x) * sw + (sw - 1 - y);
    case 8:
      return x * sw + (sw - 1 - y);
    default:
      return y * sw + x;
  }
}

/** One element per RGBA pixel; copies first when the view is not 4-byte aligned (a Buffer can be a slice of a pool). */
function pixelsOf(data: Uint8Array): Uint32Array {
  const aligned = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
}
