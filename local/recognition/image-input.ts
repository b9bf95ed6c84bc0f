import sharp from 'sharp';
import { imageTooLarge, invalidImageFormat, invalidParameter } from './errors';

/** Rekognition's set quotas for DetectLabels and DetectFaces (Guidelines and quotas in Amazon Rekognition). */
export const MAX_S3_OBJECT_BYTES = 15 * 1024 * 1024;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MIN_SIDE_PX = 80;
export const MAX_SIDE_PX = 10_000;

/** The models see at most this many pixels on the long side: more costs time without finding more. */
export const INFERENCE_LONG_SIDE_PX = 1024;

/** Packed 8-bit RGB, upright (EXIF orientation applied), downscaled to INFERENCE_LONG_SIDE_PX. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type ImageFormat = 'jpeg' | 'png';

/** Rekognition accepts JPEG and PNG only, decided by content rather than by name or Content-Type. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}

export type ImageSource = 'bytes' | 's3';

/** Refuses what Rekognition refuses before any pixel is decoded: size, then format. */
export function checkEncodedImage(bytes: Uint8Array, source: ImageSource): ImageFormat {
  const limit = source === 's3' ? MAX_S3_OBJECT_BYTES : MAX_IMAGE_BYTES;
  if (bytes.length > limit) throw imageTooLarge();
  const format = sniffFormat(bytes);
  if (!format) throw invalidImageFormat();
  return format;
}

/**
 * Decodes, applies EXIF orientation and downscales in one sharp pipeline, so a 12 MP JPEG is shrunk while it is
 * decoded (libjpeg DCT scaling) rather than after.
 */
export async function decodeForInference(bytes: Uint8Array): Promise<RgbImage> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes).metadata());
  } catch {
    throw invalidImageFormat();
  }
  if (!width || !height) throw invalidImageFormat();
  if (Math.max(width, height) > MAX_SIDE_PX) {
    throw imageTooLarge(
      `Input image dimensions ${width} x ${height} exceed maximum dimension size of ${MAX_SIDE_PX} pixels`,
    );
  }
  // AWS documents 80 px as the minimum and answers a smaller image with InvalidParameterException (botocore#1366).
  if (Math.min(width, height) < MIN_SIDE_PX) throw invalidParameter();
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .rotate()
      .resize({
        width: INFERENCE_LONG_SIDE_PX,
        height: INFERENCE_LONG_SIDE_PX,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch {
    throw invalidImageFormat();
  }
}
