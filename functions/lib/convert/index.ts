import { CorruptImage, ImageTooLarge } from '../errors';
import type { ConvertibleFormat } from '../image-metadata';
import { encodeJpegRows } from '../thumbnail/jpeg-encoder';
import { thumbnailSize } from '../thumbnail/size';
import type { DecodedImage } from './decoded';
import { decodeHeif } from './heif-decoder';
import { inspectSource, type SourcePlan } from './inspect';
import { DisplayRows, downscaledRows, type Crop } from './render';
import { decodeAvif, decodeWebp } from './squoosh-decoders';

/** The convert core of the ConvertImage step: pure (bytes in, JPEG out), no AWS SDK, no environment. */

export { CONVERTIBLE_FORMATS, isConvertibleFormat, type ConvertibleFormat } from '../image-metadata';

/**
 * Longest side of a rendition. Rekognition's DetectLabels and DetectModerationLabels take up to 10,000 px a side and
 * DetectProtectiveEquipment 4,096, and faces must grow with the picture to be found; 4096 keeps a 12 MP phone photo
 * (4032x3024) at full size, shrinks 24-50 MP ones by at most half, and bounds the JPEG far below the 15 MB limit.
 */
export const RENDITION_MAX_SIDE = 4096;
/** Rekognition reads S3 objects of up to 15 MB. */
export const RENDITION_MAX_BYTES = 15 * 1024 * 1024;
/** High enough that labels see what the original shows; lower qualities are tried only if a rendition is too big. */
export const RENDITION_QUALITIES = [90, 75, 60] as const;

export interface ConvertOptions {
  /**
   * Largest width x height decoded (THUMBNAIL_MAX_PIXELS); bigger pictures are refused from their header, as are AVIFs
   * over their own lower limits (AVIF_MAX_PIXELS).
   */
  maxPixels: number;
  maxSide?: number;
  maxBytes?: number;
}

export interface Rendition {
  body: Buffer;
  width: number;
  height: number;
  format: 'JPEG';
  contentType: 'image/jpeg';
}

/**
 * Decodes a HEIC/HEIF, AVIF or WebP photo and writes it as a baseline JPEG oriented as displayed (HEIF transforms,
 * WebP's EXIF orientation), transparency over white, long side within RENDITION_MAX_SIDE, no metadata. Throws
 * ImageTooLarge from the header before decoding anything over maxPixels, NotSupportedImageType for an animated WebP
 * and CorruptImage for what cannot be decoded.
 */
export async function convertToJpeg(
  bytes: Uint8Array,
  format: ConvertibleFormat,
  options: ConvertOptions,
): Promise<Rendition> {
  const plan = inspectSource(bytes, format);
  const { width, height } = plan.stored;
  const maxPixels = Math.min(options.maxPixels, plan.maxPixels ?? Infinity);
  if (width * height > maxPixels) throw new ImageTooLarge(width, height, maxPixels);
  const image = await DECODERS[plan.decoder](bytes);
  try {
    if (image.width * image.height > maxPixels) throw new ImageTooLarge(image.width, image.height, maxPixels);
    const rows = displayRows(image, plan);
    const target = thumbnailSize(rows.width, rows.height, options.maxSide ?? RENDITION_MAX_SIDE);
    return {
      ...encodeWithin(rows, target, options.maxBytes ?? RENDITION_MAX_BYTES),
      format: 'JPEG',
      contentType: 'image/jpeg',
    };
  } finally {
    image.release();
  }
}

const DECODERS: Record<SourcePlan['decoder'], (bytes: Uint8Array) => Promise<DecodedImage>> = {
  heif: decodeHeif,
  avif: decodeAvif,
  webp: decodeWebp,
};

/** The decoder's pixels with what it left undone: libheif applies the HEIF transforms itself, libavif does not. */
function displayRows(image: DecodedImage, plan: SourcePlan): DisplayRows {
  const whole: Crop = { left: 0, top: 0, width: image.width, height: image.height };
  if (image.transformed) return new DisplayRows(image, whole, 1);
  const sizeAsPlanned = image.width === plan.stored.width && image.height === plan.stored.height;
  if (!sizeAsPlanned && plan.crop) {
    throw new CorruptImage(
      `Decoded ${image.width}x${image.height} pixels where the header declares ${plan.stored.width}x${plan.stored.height}`,
    );
  }
  return new DisplayRows(image, plan.crop ?? whole, plan.orientation);
}

function encodeWithin(rows: DisplayRows, target: { width: number; height: number }, maxBytes: number) {
  for (const quality of RENDITION_QUALITIES) {
    const body = encodeJpegRows(target.width, target.height, quality, downscaledRows(rows, target));
    if (body.length <= maxBytes) return { body, width: target.width, height: target.height };
  }
  throw new CorruptImage(`No JPEG rendition of ${target.width}x${target.height} fits in ${maxBytes} bytes`);
}
