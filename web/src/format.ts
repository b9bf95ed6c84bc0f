import type { GpsPosition } from '../../functions/lib/image-metadata';
import type { Photo } from './api/types';

/** Words and numbers for the photo page's metadata table. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 0.008 → "1/125 s", 2 → "2 s". */
export function formatExposure(seconds: number): string {
  if (seconds >= 1 || seconds <= 0) return `${seconds} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

/** An ISO time as recorded by the camera (no zone unless it had one): shown as written, date and time apart. */
export function formatTakenAt(takenAt: string): string {
  return takenAt.replace('T', ' ');
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function formatPosition(gps: GpsPosition): string {
  const altitude = gps.altitude === undefined ? '' : `, ${Math.round(gps.altitude)} m`;
  return `${gps.latitude.toFixed(5)}, ${gps.longitude.toFixed(5)}${altitude}`;
}

export function openStreetMapUrl(gps: GpsPosition): string {
  const lat = gps.latitude.toFixed(5);
  const lon = gps.longitude.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`;
}

/** The rows of the metadata table that the photo has, in reading order. */
export function metadataRows(photo: Photo): [string, string][] {
  const exif = photo.exif ?? {};
  // Many cameras repeat the maker in the model ("Canon" + "Canon DIGITAL IXUS").
  const camera = exif.model?.toLowerCase().startsWith(exif.make?.toLowerCase() ?? '\u0000')
    ? exif.model
    : [exif.make, exif.model].filter(Boolean).join(' ');
  const exposure = [
    exif.exposureTime === undefined ? undefined : formatExposure(exif.exposureTime),
    exif.fNumber === undefined ? undefined : `ƒ/${exif.fNumber}`,
    exif.iso === undefined ? undefined : `ISO ${exif.iso}`,
    exif.focalLength === undefined ? undefined : `${Math.round(exif.focalLength * 10) / 10} mm`,
  ].filter(Boolean);
  const rows: [string, string | undefined][] = [
    ['Format', photo.format],
    ['Dimensions', photo.width && photo.height ? `${photo.width} × ${photo.height}` : undefined],
    ['Size', photo.sizeBytes === undefined ? undefined : formatBytes(photo.sizeBytes)],
    ['Camera', camera || undefined],
    ['Lens', exif.lensModel],
    ['Exposure', exposure.length > 0 ? exposure.join(', ') : undefined],
    ['Taken', exif.takenAt === undefined ? undefined : formatTakenAt(exif.takenAt)],
    ['Uploaded', formatDateTime(photo.uploadedAt)],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}
