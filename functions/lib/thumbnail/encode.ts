import png, { PNGColorType } from '@jimp/js-png';
import type { SupportedFormat } from '../image-metadata';
import { hasTransparency, type Bitmap } from './bitmap';
import { encodeJpeg } from './jpeg-encoder';

const pngCodec = png();

/**
 * Only pixels are written: no EXIF, GPS, XMP or ICC chunk is ever copied, and the pixels are already in display
 * orientation. PNG keeps an alpha channel only when a pixel needs it.
 */
export function encodeBitmap(bitmap: Bitmap, format: SupportedFormat, jpegQuality: number): Buffer {
  if (format === 'JPEG') return encodeJpeg(bitmap, jpegQuality);
  return pngCodec.encode(bitmap, {
    colorType: hasTransparency(bitmap) ? PNGColorType.COLOR_ALPHA : PNGColorType.COLOR,
    inputHasAlpha: true,
    deflateLevel: 6,
    deflateStrategy: 1,
  });
}
