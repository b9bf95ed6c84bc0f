import type { ImageQuality } from '@aws-sdk/client-rekognition';
import type { NormalizedBox } from './engine';
import type { RgbImage } from './image-input';

/**
 * Rekognition's face Quality, measured on the face's pixels rather than predicted by a model, so the numbers move
 * the right way (a dark face is darker, a blurred face less sharp) without matching AWS's values.
 *   Brightness: mean luma, 0..100.
 *   Sharpness: mean absolute Laplacian of the luma, mapped to 0..100 by s / (s + SHARPNESS_HALF).
 */
const SHARPNESS_HALF = 4;

export function measureFaceQuality(image: RgbImage, box: NormalizedBox): ImageQuality {
  const x0 = Math.max(0, Math.floor(box.left * image.width));
  const y0 = Math.max(0, Math.floor(box.top * image.height));
  const x1 = Math.min(image.width, Math.ceil((box.left + box.width) * image.width));
  const y1 = Math.min(image.height, Math.ceil((box.top + box.height) * image.height));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < 3 || h < 3) return { Brightness: 0, Sharpness: 0 };

  const luma = new Float32Array(w * h);
  let sum = 0;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const i = ((y0 + y) * image.width + (x0 + x)) * 3;
      const value = 0.299 * (image.data[i] ?? 0) + 0.587 * (image.data[i + 1] ?? 0) + 0.114 * (image.data[i + 2] ?? 0);
      luma[y * w + x] = value;
      sum += value;
    }
  }

  let laplacian = 0;
  for (let y = 1; y < h - 1; y += 1) {
    for (let x = 1; x < w - 1; x += 1) {
      const c = y * w + x;
      const at = (k: number): number => luma[k] ?? 0;
      laplacian += Math.abs(4 * at(c) - at(c - 1) - at(c + 1) - at(c - w) - at(c + w));
    }
  }
  const meanLaplacian = laplacian / ((w - 2) * (h - 2));
  return {
    Brightness: (100 * sum) / (w * h * 255),
    Sharpness: (100 * meanLaplacian) / (meanLaplacian + SHARPNESS_HALF),
  };
}
