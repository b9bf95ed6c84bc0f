import { createJimp } from '@jimp/core';
import { methods as resizeMethods } from '@jimp/plugin-resize';
import type { Bitmap } from './bitmap';
import type { Size } from './size';

/** Only the plugin we use, so the Lambda bundle carries none of jimp's other plugins or formats. */
const ThumbnailJimp = createJimp({ plugins: [resizeMethods] });

/**
 * jimp's default resizer averages every source pixel that falls in a target pixel (no aliasing when shrinking a lot)
 * and ignores the colour of fully transparent pixels, so PNG edges do not darken.
 */
export function resizeBitmap(bitmap: Bitmap, size: Size): Bitmap {
  if (bitmap.width === size.width && bitmap.height === size.height) return bitmap;
  const image = ThumbnailJimp.fromBitmap(bitmap);
  image.resize({ w: size.width, h: size.height });
  return { width: image.bitmap.width, height: image.bitmap.height, data: image.bitmap.data };
}
