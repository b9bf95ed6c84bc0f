/** Photos derived at test time from the fixtures, for cases the fixture folder does not hold. */
import sharp from 'sharp';
import { fixture, pngChunks, pngFrom } from './helpers';

/** The Nikon PNG with its eXIf chunk moved after the image data, just before IEND (legal, and easy to miss). */
export function pngWithExifAfterIdat(): Uint8Array {
  const chunks = pngChunks(fixture('generated_nikon-p6000_gps.png'));
  const exif = chunks.filter((chunk) => chunk.type === 'eXIf');
  const rest = chunks.filter((chunk) => chunk.type !== 'eXIf');
  return pngFrom([...rest.slice(0, -1), ...exif, ...rest.slice(-1)]);
}

/** A 12 MP (4032x3024) phone-sized JPEG that keeps the iPhone photo's EXIF, GPS included. */
export async function twelveMegapixelJpeg(): Promise<Uint8Array> {
  const source = Buffer.from(fixture('iphone6_wisteria_8mp_gps.jpg'));
  return new Uint8Array(await sharp(source).resize(4032, 3024).withMetadata().jpeg({ quality: 90 }).toBuffer());
}

/** A small TIFF that keeps the chandelier photo's EXIF (Orientation 6, Canon). */
export async function smallTiff(): Promise<Uint8Array> {
  const source = Buffer.from(fixture('canon-sx60_chandelier_orient6.jpg'));
  return new Uint8Array(await sharp(source).resize(64, 48).withMetadata().tiff().toBuffer());
}
