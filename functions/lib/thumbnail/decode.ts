import { CorruptImage } from '../errors';
import type { SupportedFormat } from '../image-metadata';
import type { Bitmap } from './bitmap';
import type { ImageHeader, JpegFrame } from './header';
import { decodeJpegScaled, FastDecodeUnavailable } from './jpeg-fast-decode';
import { decodePngResized } from './png-decode';
import type { Size } from './size';

/** The SOFn codings that the decoder here does not read (the WASM build of libjpeg-turbo has no arithmetic decoder). */
const UNSUPPORTED_JPEG_CODINGS: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical',
  0xc6: 'hierarchical',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic',
  0xca: 'arithmetic progressive',
  0xcb: 'arithmetic lossless',
  0xcd: 'arithmetic hierarchical',
  0xce: 'arithmetic hierarchical progressive',
  0xcf: 'arithmetic hierarchical lossless',
};

/**
 * Decodes what the thumbnail needs, the stored orientation kept, without ever holding a full-size bitmap: a PNG
 * (interlaced or not) area-averaged to `storedTarget` row by row as it inflates; a JPEG (YCbCr, grey, CMYK or YCCK) by
 * libjpeg-turbo at the smallest DCT scale that covers `storedTarget`. The caller still resizes to `storedTarget`,
 * which is free when the size is already right.
 */
export async function decodeImage(
  bytes: Uint8Array,
  format: SupportedFormat,
  header: ImageHeader,
  storedTarget: Size,
): Promise<Bitmap> {
  if (format === 'PNG') return decodePngResized(header, storedTarget);
  const frame: JpegFrame = header.jpegFrame ?? { marker: 0xc0, precision: 8, components: 3 };
  const unsupported = UNSUPPORTED_JPEG_CODINGS[frame.marker];
  if (unsupported !== undefined)
    throw new CorruptImage(`JPEG uses ${unsupported} coding, which cannot be decoded here`);
  // This libjpeg-turbo build reads 8-bit samples only; 12-bit JPEGs (medical, some raw converters) have no decoder here.
  if (frame.precision !== 8)
    throw new CorruptImage(`JPEG has ${frame.precision}-bit samples; only 8-bit JPEGs can be decoded here`);
  try {
    return decodeJpegScaled(bytes, storedTarget, frame.components === 4);
  } catch (error) {
    if (!(error instanceof FastDecodeUnavailable)) throw error;
    throw new CorruptImage(`JPEG data is corrupt: ${error.message}`, { cause: error });
  }
}
