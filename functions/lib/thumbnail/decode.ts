import { inflateSync } from 'node:zlib';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import { CorruptImage, ImageTooLarge } from '../errors';
import type { SupportedFormat } from '../image-metadata';
import type { Bitmap } from './bitmap';
import type { ImageHeader, JpegFrame } from './header';
import { decodeJpegScaled, FastDecodeUnavailable } from './jpeg-fast-decode';
import { decodePngResized } from './png-decode';
import type { Size } from './size';

/** jpeg-js counts up to 24 bytes per pixel (4 full-resolution components, their lines, RGBA out); a little slack on top. */
const JPEG_JS_BYTES_PER_PIXEL = 28;

const jpegCodec = jpeg();
const pngCodec = png();

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SOFn codings that neither decoder here reads (the WASM build of libjpeg-turbo has no arithmetic decoder). */
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
 * Decodes what the thumbnail needs, the stored orientation kept: a PNG already area-averaged to `storedTarget` (an
 * interlaced one in full with jimp); JPEG at the smallest DCT scale that covers `storedTarget` when libjpeg-turbo can,
 * else in full with jimp. The caller still resizes to `storedTarget`, which is free when the size is already right.
 */
export async function decodeImage(
  bytes: Uint8Array,
  format: SupportedFormat,
  header: ImageHeader,
  storedTarget: Size,
  maxPixels: number,
): Promise<Bitmap> {
  if (format === 'PNG') {
    // Adam7 spreads each row over 7 passes; streaming it is not worth the code for how rarely photos are interlaced.
    return header.pngFrame?.interlaced ? decodePngWithJimp(bytes, header) : decodePngResized(header, storedTarget);
  }
  const frame: JpegFrame = header.jpegFrame ?? { marker: 0xc0, precision: 8, components: 3 };
  const unsupported = UNSUPPORTED_JPEG_CODINGS[frame.marker];
  if (unsupported !== undefined)
    throw new CorruptImage(`JPEG uses ${unsupported} coding, which cannot be decoded here`);
  // libjpeg-turbo turns CMYK and YCCK into CMYK only; jimp converts them to RGB.
  if (frame.components === 4) return decodeJpegWithJimp(bytes, header, maxPixels);
  try {
    return decodeJpegScaled(bytes, storedTarget);
  } catch (error) {
    if (!(error instanceof FastDecodeUnavailable)) throw error;
    // jpeg-js is lenient enough to turn what libjpeg rejects into garbage pixels; it only gets what libjpeg cannot read
    // by design (this 8-bit build: 12-bit samples).
    if (frame.precision === 8) throw new CorruptImage(`JPEG data is corrupt: ${error.message}`, { cause: error });
  }
  return decodeJpegWithJimp(bytes, header, maxPixels);
}

/**
 * Full-resolution JPEG decode with jimp's codec (jpeg-js): the fallback for files libjpeg-turbo gives up on (CMYK,
 * YCCK). Called through the codec rather than Jimp.read so that jimp does not apply the EXIF orientation by itself.
 */
function decodeJpegWithJimp(bytes: Uint8Array, header: ImageHeader, maxPixels: number): Bitmap {
  try {
    const { width, height, data } = jpegCodec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * JPEG_JS_BYTES_PER_PIXEL) / 2 ** 20),
      formatAsRGBA: true,
      tolerantDecoding: true,
    });
    return { width, height, data };
  } catch (error) {
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(describe(error))) {
      throw new ImageTooLarge(header.width, header.height, maxPixels);
    }
    throw new CorruptImage(`JPEG could not be decoded: ${describe(error)}`, { cause: error });
  }
}

/**
 * pngjs caps the inflated size of a plain PNG at what the header implies, but inflates an interlaced one without a cap:
 * a few MB of IDAT can expand to GBs. Inflating once with a cap costs one more inflate for interlaced files only.
 */
function refuseInflateBomb(header: ImageHeader): void {
  const frame = header.pngFrame;
  if (!frame?.interlaced) return;
  const plainSize = (Math.ceil((header.width * frame.bitsPerPixel) / 8) + 1) * header.height;
  // Each row of each of Adam7's 7 passes adds a filter byte and at most one byte of padding.
  const cap = plainSize + 14 * header.height + 1024;
  try {
    inflateSync(Buffer.concat(frame.imageData), { maxOutputLength: cap });
  } catch (error) {
    throw new CorruptImage(`PNG image data does not inflate to the size its header declares: ${describe(error)}`, {
      cause: error,
    });
  }
}

/** Interlaced PNGs: any bit depth, palette, grey, tRNS comes out as full-size 8-bit RGBA. CRCs were checked by readImageHeader. */
function decodePngWithJimp(bytes: Uint8Array, header: ImageHeader): Bitmap {
  refuseInflateBomb(header);
  try {
    const { width, height, data } = pngCodec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {
      checkCRC: false,
    });
    return { width, height, data };
  } catch (error) {
    throw new CorruptImage(`PNG could not be decoded: ${describe(error)}`, { cause: error });
  }
}
