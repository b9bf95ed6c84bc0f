import { inflateSync } from 'node:zlib';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import { CorruptImage, ImageTooLarge } from '../errors';
import type { Bitmap } from './bitmap';
import type { ImageHeader } from './header';

/** jpeg-js counts up to 24 bytes per pixel (4 full-resolution components, their lines, RGBA out); a little slack on top. */
const JPEG_JS_BYTES_PER_PIXEL = 28;

const jpegCodec = jpeg();
const pngCodec = png();

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Full-resolution JPEG decode with jimp's codec (jpeg-js): the fallback for files libjpeg-turbo gives up on (CMYK,
 * YCCK). Called through the codec rather than Jimp.read so that jimp does not apply the EXIF orientation by itself.
 */
export function decodeJpegWithJimp(bytes: Uint8Array, header: ImageHeader, maxPixels: number): Bitmap {
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
    throw new CorruptImage(`PNG image data does not inflate to the size its header declares: ${describe(error)}`, { cause: error });
  }
}

/** Any bit depth, palette, grey, tRNS or interlacing comes out as 8-bit RGBA. CRCs were checked by readImageHeader. */
export function decodePngWithJimp(bytes: Uint8Array, header: ImageHeader): Bitmap {
  refuseInflateBomb(header);
  try {
    const { width, height, data } = pngCodec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { checkCRC: false });
    return { width, height, data };
  } catch (error) {
    throw new CorruptImage(`PNG could not be decoded: ${describe(error)}`, { cause: error });
  }
}
