import type { ImageFormat } from '../image-metadata';
import { i32le, latin1, u16le, u24le, u32le } from '../image-header/bytes';
import type { PixelSize } from './embedded';

/** Dimensions of formats the workflow does not process, when the first bytes hold them; never throws. */
export function headerDimensions(format: ImageFormat, head: Uint8Array): PixelSize | undefined {
  try {
    const size =
      format === 'GIF' ? gif(head) : format === 'WEBP' ? webp(head) : format === 'BMP' ? bmp(head) : undefined;
    return size && size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined; // a header shorter than its fields
  }
}

/** The logical screen, which every frame is drawn on. */
function gif(head: Uint8Array): PixelSize {
  return { width: u16le(head, 6), height: u16le(head, 8) };
}

function webp(head: Uint8Array): PixelSize | undefined {
  switch (latin1(head, 12, 4)) {
    case 'VP8X': // extended: the canvas, stored minus one
      return { width: u24le(head, 24) + 1, height: u24le(head, 27) + 1 };
    case 'VP8 ': // lossy: a key frame's 14-bit sizes after the start code 9D 01 2A
      if (head[23] !== 0x9d || head[24] !== 0x01 || head[25] !== 0x2a) return undefined;
      return { width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff };
    case 'VP8L': {
      // lossless: signature 0x2F, then 14-bit sizes minus one
      if (head[20] !== 0x2f) return undefined;
      const bits = u32le(head, 21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    default:
      return undefined;
  }
}

function bmp(head: Uint8Array): PixelSize {
  // The OS/2 core header (12 bytes) has 16-bit sizes; later ones are signed 32-bit, negative height meaning top-down.
  if (u32le(head, 14) === 12) return { width: u16le(head, 18), height: u16le(head, 20) };
  return { width: Math.abs(i32le(head, 18)), height: Math.abs(i32le(head, 22)) };
}
