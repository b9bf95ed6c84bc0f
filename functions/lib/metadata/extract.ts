import type { ImageFormat, ParsedImageMetadata } from '../image-metadata';
import { runOnBuffer, type ByteWalker } from './byte-walker';
import type { PixelSize } from './embedded';
import { decodeMetadata, type DecodedMetadata } from './exif';
import { detectImageFormat } from './format';
import { headerDimensions } from './header-dimensions';
import { walkJpeg } from './jpeg';
import { walkPng } from './png';
import { RangeReader, runOnReader, type ReadRange } from './read';

/** Holds the EXIF of almost every JPEG and the whole head of other formats in one request. */
const FIRST_WINDOW_BYTES = 64 * 1024;

/** Pure parse of a buffer that holds the whole file or at least its head. */
export function parseImageMetadata(bytes: Uint8Array): ParsedImageMetadata {
  return runOnBuffer(extractMetadata(bytes.length), bytes);
}

/** Reads as few bytes as possible (a first window, then only what the format needs) and parses. */
export async function readImageMetadata(
  read: ReadRange,
  sizeBytes: number,
): Promise<{ parsed: ParsedImageMetadata; bytesRead: number }> {
  const reader = new RangeReader(read, sizeBytes);
  const parsed = await runOnReader(extractMetadata(sizeBytes), reader);
  return { parsed, bytesRead: reader.bytesRead };
}

/** Throws CorruptImage only for a JPEG or PNG without readable dimensions; other formats never throw. */
function* extractMetadata(sizeBytes: number): ByteWalker<ParsedImageMetadata> {
  const head = yield { start: 0, length: FIRST_WINDOW_BYTES };
  const format = detectImageFormat(head);
  switch (format) {
    case 'JPEG': {
      const { width, height, ...embedded } = yield* walkJpeg();
      return describe(format, { width, height }, decodeMetadata(embedded));
    }
    case 'PNG': {
      const { width, height, ...embedded } = yield* walkPng(sizeBytes);
      return describe(format, { width, height }, decodeMetadata(embedded));
    }
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
