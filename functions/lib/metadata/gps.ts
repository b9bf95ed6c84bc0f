import type { GpsPosition } from '../image-metadata';
import { numberOf, rationalsOf, textOf, type TagGroup } from './tag-values';

/** Position from EXIF GPS tags, else from XMP (exif:GPSLatitude "40,26.8183N"); undefined when absent or invalid. */
export function gpsPosition(exif: TagGroup, xmp: TagGroup): GpsPosition | undefined {
  return exifPosition(exif) ?? xmpPosition(xmp);
}

function exifPosition(exif: TagGroup): GpsPosition | undefined {
  const latitude = signed(degrees(rationalsOf(exif['GPSLatitude'])), textOf(exif['GPSLatitudeRef']), 'S');
  const longitude = signed(degrees(rationalsOf(exif['GPSLongitude'])), textOf(exif['GPSLongitudeRef']), 'W');
  return position(latitude, longitude, altitude(numberOf(exif['GPSAltitude']), numberOf(exif['GPSAltitudeRef'])));
}

function xmpPosition(xmp: TagGroup): GpsPosition | undefined {
  const latitude = xmpCoordinate(textOf(xmp['GPSLatitude']), 'N', 'S');
  const longitude = xmpCoordinate(textOf(xmp['GPSLongitude']), 'E', 'W');
  return position(latitude, longitude, altitude(numberOf(xmp['GPSAltitude']), numberOf(xmp['GPSAltitudeRef'])));
}

function position(latitude: number | undefined, longitude: number | undefined, altitude: number | undefined) {
  if (latitude === undefined || longitude === undefined) return undefined;
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return undefined;
  return { latitude, longitude, ...(altitude === undefined ? {} : { altitude }) };
}

/** Degrees, minutes, seconds; writers may fold the minutes and seconds into fractional degrees. */
function degrees(parts: number[] | undefined): number | undefined {
  if (!parts || parts.length > 3) return undefined;
  const [d = 0, m = 0, s = 0] = parts;
  const value = d + m / 60 + s / 3600;
  return Number.isFinite(value) && d >= 0 && m >= 0 && s >= 0 ? value : undefined;
}

function signed(value: number | undefined, ref: string | undefined, negativeRef: string): number | undefined {
  if (value === undefined) return undefined;
  return ref?.toUpperCase().startsWith(negativeRef) ? -value : value;
}

/** AltitudeRef 1 means below sea level. */
function altitude(metres: number | undefined, ref: number | undefined): number | undefined {
  if (metres === undefined || metres < 0) return undefined;
  return ref === 1 ? -metres : metres;
}

/** XMP GPSCoordinate: "DDD,MM,SSk" or "DDD,MM.mmk", k one of N/S or E/W. */
function xmpCoordinate(text: string | undefined, positive: string, negative: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])$/i.exec(text ?? '');
  if (!match) return undefined;
  const direction = match[4]!.toUpperCase();
  if (direction !== positive && direction !== negative) return undefined;
  const value = degrees([Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]);
  return value === undefined ? undefined : direction === negative ? -value : value;
}
