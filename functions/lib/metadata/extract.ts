import type { ImageFormat, ParsedImageMetadata } from '../image-metadata';
import { runOnBuffer, type ByteWalker } from './byte-walker';
import type { PixelSize } from './embedded';
import { decodeMetadata, type DecodedMetadata } from './exif';
import { detectImageFormat } from './format';
import { headerDimensions } from './header-dimensions';
import { walkHeif } from './heif-metadata';
import { walkJpeg } from './jpeg';
import { walkPng } from './png';
import { walkWebp } from './webp';
import { RangeReader, runOnReader, type ReadRange } from './read';
import { FIRST_WINDOW_BYTES, readWindow } from './window';

/** Pure parse of a buffer that holds the whole file or at least its head. */
export function parseImageMetadata(bytes: Uint8Array): ParsedImageMetadata {
  return runOnBuffer(extractMetadata(bytes.length), bytes);
}

/**
 * Reads little, in few requests (a first window, then what the format needs: for a PNG the last 64 KiB, for a JPEG
 * whose frame header lies further in, windows that double) and parses.
 */
export async function readImageMetadata(
  read: ReadRange,
  sizeBytes: number,
): Promise<{ parsed: ParsedImageMetadata; bytesRead: number; requests: number }> {
  const reader = new RangeReader(read, sizeBytes);
  const parsed = await runOnReader(extractMetadata(sizeBytes), reader);
  return { parsed, bytesRead: reader.bytesRead, requests: reader.requests };
}

/** Throws CorruptImage only for a JPEG or PNG without readable dimensions; other formats never throw. */
function* extractMetadata(sizeBytes: number): ByteWalker<ParsedImageMetadata> {
  const window = yield* readWindow(0, FIRST_WINDOW_BYTES);
  const head = window.bytes;
  const format = detectImageFormat(head);
  switch (format) {
    case 'JPEG': {
      const { width, height, ...embedded } = yield* walkJpeg(window);
      return describe(format, { width, height }, decodeMetadata(embedded));
    }
    case 'PNG': {
      const { width, height, ...embedded } = yield* walkPng(window, sizeBytes);
      return describe(format, { width, height }, decodeMetadata(embedded));
    }
    case 'WEBP': {
      const { size, tiff, xmp } = yield* walkWebp(window, sizeBytes);
      return describe(format, size, decodeMetadata({ ...(tiff ? { tiff } : {}), ...(xmp ? { xmp } : {}) }));
    }
    case 'HEIC':
    case 'HEIF':
    case 'AVIF':
      return yield* walkHeif(format, window, sizeBytes);
    case 'TIFF': {
      // EXIF is TIFF, so the head itself is the metadata block; IFDs stored past the first window are not sought.
      const decoded = decodeMetadata({ tiff: head });
      return describe(format, decoded.ifd0Size, decoded);
    }
    default:
      return describe(format, headerDimensions(format, head), {});
  }
}

/** Orientations 5 to 8 turn the picture a quarter, so it displays with width and height swapped. */
function describe(format: ImageFormat, stored: PixelSize | undefined, decoded: DecodedMetadata): ParsedImageMetadata {
  const { orientation, exif, gps } = decoded;
  const turned = orientation !== undefined && orientation >= 5;
  return {
    format,
    ...(stored ? (turned ? { width: stored.height, height: stored.width } : stored) : {}),
    ...(orientation === undefined ? {} : { orientation }),
    ...(exif ? { exif } : {}),
    ...(gps ? { gps } : {}),
  };
}
