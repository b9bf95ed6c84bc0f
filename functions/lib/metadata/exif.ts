import { load } from 'exifreader';
import type { ExifSummary, GpsPosition } from '../image-metadata';
import { concat } from '../image-header/bytes';
import { exifDateTime, xmpDateTime } from './dates';
import type { EmbeddedMetadata, PixelSize } from './embedded';
import { gpsPosition } from './gps';
import { numberOf, positiveNumberOf, textOf, type TagGroup } from './tag-values';

export interface DecodedMetadata {
  orientation?: number;
  exif?: ExifSummary;
  gps?: GpsPosition;
  /** IFD0's ImageWidth/ImageLength: the picture's own size in a TIFF file, often absent or a thumbnail's elsewhere. */
  ifd0Size?: PixelSize;
}

const EXIF_TAGS = [
  'Make',
  'Model',
  'Orientation',
  'ImageWidth',
  'ImageLength',
  'NewSubfileType',
  'DateTimeOriginal',
  'OffsetTimeOriginal',
  'DateTimeDigitized',
  'OffsetTimeDigitized',
  'DateTime',
  'OffsetTime',
  'LensModel',
  'ExposureTime',
  'FNumber',
  'ISOSpeedRatings',
  'FocalLength',
  'GPSLatitude',
  'GPSLatitudeRef',
  'GPSLongitude',
  'GPSLongitudeRef',
  'GPSAltitude',
  'GPSAltitudeRef',
];

/** Camera facts and position from EXIF, with XMP filling what EXIF lacks; orientation from EXIF. Never throws. */
export function decodeMetadata(embedded: EmbeddedMetadata): DecodedMetadata {
  const tags = readTags(embedded);
  if (!tags) return {};
  const { exif, xmp } = tags;
  const summary = cameraFacts(exif, xmp);
  const gps = gpsPosition(exif, xmp);
  // Viewers and the thumbnail step turn pictures by EXIF only, so an XMP tiff:Orientation must not swap the size.
  const orientation = orientationOf(exif);
  const ifd0Size = imageSize(exif);
  return {
    ...(orientation === undefined ? {} : { orientation }),
    ...(Object.keys(summary).length > 0 ? { exif: summary } : {}),
    ...(gps ? { gps } : {}),
    ...(ifd0Size ? { ifd0Size } : {}),
  };
}

function readTags({ tiff, xmp }: EmbeddedMetadata): { exif: TagGroup; xmp: TagGroup } | undefined {
  if (!tiff && !xmp) return undefined;
  try {
    const tags = load(metadataOnlyPng({ tiff, xmp }), {
      expanded: true,
      includeTags: { exif: EXIF_TAGS, xmp: true },
    });
    return { exif: (tags.exif ?? {}) as TagGroup, xmp: (tags.xmp ?? {}) as TagGroup };
  } catch {
    return undefined; // ExifReader throws on blocks it cannot make sense of: the file just has no usable metadata
  }
}

/**
 * ExifReader reads whole files only. A PNG holding nothing but an eXIf and an uncompressed XMP iTXt chunk is the
 * smallest container that carries both blocks whatever their size and parses synchronously; it never checks CRCs.
 */
function metadataOnlyPng({ tiff, xmp }: EmbeddedMetadata): ArrayBuffer {
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const xmpHeader = new TextEncoder().encode('XML:com.adobe.xmp\0\0\0\0\0');
  const chunks = [
    ...(tiff ? [chunk('eXIf', tiff)] : []),
    ...(xmp ? [chunk('iTXt', concat([xmpHeader, xmp]))] : []),
    chunk('IEND', new Uint8Array(0)),
  ];
  return concat([signature, ...chunks]).buffer as ArrayBuffer;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

function cameraFacts(exif: TagGroup, xmp: TagGroup): ExifSummary {
  const either = <T>(read: (group: TagGroup) => T | undefined): T | undefined => read(exif) ?? read(xmp);
  const facts: ExifSummary = {
    make: either((group) => textOf(group['Make'])),
    model: either((group) => textOf(group['Model'])),
    takenAt: takenAt(exif, xmp),
    lensModel: either((group) => textOf(group['LensModel'])) ?? textOf(xmp['Lens']),
    exposureTime: either((group) => positiveNumberOf(group['ExposureTime'])),
    fNumber: either((group) => positiveNumberOf(group['FNumber'])),
    iso:
      either((group) => positiveNumberOf(group['ISOSpeedRatings'])) ?? positiveNumberOf(xmp['PhotographicSensitivity']),
    focalLength: either((group) => positiveNumberOf(group['FocalLength'])),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as ExifSummary;
}

/** Capture time first, then digitization, and the file's modification time only as a last resort. */
function takenAt(exif: TagGroup, xmp: TagGroup): string | undefined {
  return (
    exifDateTime(textOf(exif['DateTimeOriginal']), textOf(exif['OffsetTimeOriginal'])) ??
    exifDateTime(textOf(exif['DateTimeDigitized']), textOf(exif['OffsetTimeDigitized'])) ??
    xmpDateTime(textOf(xmp['DateTimeOriginal'])) ??
    xmpDateTime(textOf(xmp['DateCreated'])) ??
    xmpDateTime(textOf(xmp['CreateDate'])) ??
    exifDateTime(textOf(exif['DateTime']), textOf(exif['OffsetTime']))
  );
}

function orientationOf(group: TagGroup): number | undefined {
  const orientation = numberOf(group['Orientation']);
  return orientation !== undefined && Number.isInteger(orientation) && orientation >= 1 && orientation <= 8
    ? orientation
    : undefined;
}

/** NewSubfileType bit 0 marks a reduced-resolution (preview) image, as in DNG. */
function imageSize(exif: TagGroup): PixelSize | undefined {
  const width = positiveNumberOf(exif['ImageWidth']);
  const height = positiveNumberOf(exif['ImageLength']);
  if (width === undefined || height === undefined || ((numberOf(exif['NewSubfileType']) ?? 0) & 1) === 1)
    return undefined;
  return Number.isInteger(width) && Number.isInteger(height) ? { width, height } : undefined;
}
