/** Decoded pixels: 8-bit RGBA, rows top to bottom, no padding (the layout jimp uses). */
export interface Bitmap {
  width: number;
  height: number;
  data: Buffer;
}

/** Whether any pixel is not fully opaque, i.e. whether the thumbnail needs an alpha channel. */
export function hasTransparency(bitmap: Bitmap): boolean {
  const { data } = bitmap;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) return true;
  }
  return false;
}
