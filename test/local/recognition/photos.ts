import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'images');

export const fixture = (name: string): Promise<Buffer> => readFile(path.join(FIXTURES, name));

/** A JPEG of `size` bytes: a real photo followed by padding, which decoders ignore and size checks do not. */
export async function paddedJpeg(size: number): Promise<Buffer> {
  const photo = await fixture('canon-ixus-2001_wedding-couple.jpg');
  return Buffer.concat([photo, Buffer.alloc(size - photo.length)]);
}
