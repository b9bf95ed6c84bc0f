/** What the metadata step learns about an uploaded object. Field names are a contract (item, pipeline --json). */

export const IMAGE_FORMATS = [
  'JPEG',
  'PNG',
  'GIF',
  'WEBP',
  'HEIC',
  /** A HEIF container whose brands name neither HEVC nor AV1. */
  'HEIF',
  'AVIF',
  'TIFF',
  'BMP',
  'SVG',
  'PDF',
  'UNKNOWN',
] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** The formats the workflow processes; everything else ends as UNSUPPORTED. */
export const SUPPORTED_FORMATS = ['JPEG', 'PNG'] as const;
export type SupportedFormat = (typeof SUPPORTED_FORMATS)[number];

export function isSupportedFormat(format: ImageFormat): format is SupportedFormat {
  return (SUPPORTED_FORMATS as readonly string[]).includes(format);
}

/**
 * The formats ConvertImage can turn into a JPEG rendition (functions/lib/convert/). Which of them the workflow
 * converts is the CONVERT_FORMATS setting; the others end as UNSUPPORTED, as any format outside SUPPORTED_FORMATS.
 */
export const CONVERTIBLE_FORMATS = ['HEIC', 'HEIF', 'WEBP', 'AVIF'] as const;
export type ConvertibleFormat = (typeof CONVERTIBLE_FORMATS)[number];

export const isConvertibleFormat = (format: string): format is ConvertibleFormat =>
  (CONVERTIBLE_FORMATS as readonly string[]).includes(format);

/** Camera facts from EXIF (or XMP when a file has no EXIF). Only fields the file really has are present. */
export interface ExifSummary {
  make?: string;
  model?: string;
  /** ISO 8601 local time as recorded, e.g. 2008-10-22T16:28:39, with the offset appended when OffsetTimeOriginal exists. */
  takenAt?: string;
  lensModel?: string;
  /** Seconds, e.g. 0.008 for 1/125 s. */
  exposureTime?: number;
  fNumber?: number;
  iso?: number;
  focalLength?: number;
}

/** Signed decimal degrees: south and west are negative. Altitude in metres, negative below sea level. */
export interface GpsPosition {
  latitude: number;
  longitude: number;
  altitude?: number;
}

/** Result of parsing the head of a file (pure: no I/O, no clock). */
export interface ParsedImageMetadata {
  format: ImageFormat;
  /** As displayed: swapped when the EXIF orientation is 5 to 8. */
  width?: number;
  height?: number;
  /** EXIF orientation 1..8 when the file records one. */
  orientation?: number;
  exif?: ExifSummary;
  gps?: GpsPosition;
}

/** The output of the ExtractImageMetadata step: the parsed facts plus what S3 says about the object. */
export interface ImageMetadata extends ParsedImageMetadata {
  sizeBytes: number;
  /** ISO 8601 UTC time S3 recorded for the upload. */
  uploadedAt: string;
  /** How many bytes of the object the step read. */
  bytesRead: number;
}
