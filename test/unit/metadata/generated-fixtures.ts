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

/**
 * A 12 MP (4032x3024) PNG upscaled from the Nikon PNG, about 2,000 IDAT chunks of 8 KiB as libpng writes them, with
 * the Nikon eXIf chunk after the last IDAT: the layout whose chunk-by-chunk walk costs thousands of requests.
 */
export const twelveMegapixelPngWithExifAfterIdat = once(async (): Promise<Uint8Array> => {
  const source = fixture('generated_nikon-p6000_gps.png');
  const exif = pngChunks(source).filter((chunk) => chunk.type === 'eXIf');
  const upscaled = pngChunks(new Uint8Array(await sharp(Buffer.from(source)).resize(4032, 3024).png().toBuffer()));
  return pngFrom([...upscaled.slice(0, -1), ...exif, ...upscaled.slice(-1)]);
});

/** A 12 MP (4032x3024) phone-sized JPEG that keeps the iPhone photo's EXIF, GPS included. */
export const twelveMegapixelJpeg = once(async (): Promise<Uint8Array> => {
  const source = Buffer.from(fixture('iphone6_wisteria_8mp_gps.jpg'));
  return new Uint8Array(await sharp(source).resize(4032, 3024).withMetadata().jpeg({ quality: 90 }).toBuffer());
});

/** A small TIFF that keeps the chandelier photo's EXIF (Orientation 6, Canon). */
export async function smallTiff(): Promise<Uint8Array> {
  const source = Buffer.from(fixture('canon-sx60_chandelier_orient6.jpg'));
  return new Uint8Array(await sharp(source).resize(64, 48).withMetadata().tiff().toBuffer());
}

/** Sharp takes a second or two per 12 MP photo: several test files share one. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
