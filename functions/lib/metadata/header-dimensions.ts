import type { ImageFormat } from '../image-metadata';
import { i32le, u16le, u32le } from '../image-header/bytes';
import type { PixelSize } from './embedded';

/** Dimensions of formats the workflow does not process, when the first bytes hold them; never throws. */
export function headerDimensions(format: ImageFormat, head: Uint8Array): PixelSize | undefined {
  try {
    const size = format === 'GIF' ? gif(head) : format === 'BMP' ? bmp(head) : undefined;
    return size && size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined; // a header shorter than its fields
  }
}

/** The logical screen, which every frame is drawn on. */
function gif(head: Uint8Array): PixelSize {
  return { width: u16le(head, 6), height: u16le(head, 8) };
}

function bmp(head: Uint8Array): PixelSize {
  // The OS/2 core header (12 bytes) has 16-bit sizes; later ones are signed 32-bit, negative height meaning top-down.
  if (u32le(head, 14) === 12) return { width: u16le(head, 18), height: u16le(head, 20) };
  return { width: Math.abs(i32le(head, 18)), height: Math.abs(i32le(head, 22)) };
}
