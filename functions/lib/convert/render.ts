import { storedIndex } from '../thumbnail/orientation';
import { boxWeights, narrowRow } from '../thumbnail/resize';
import type { Size } from '../thumbnail/size';
import type { DecodedImage } from './decoded';

/** A rectangle of the stored picture: what a HEIF clean aperture (clap) keeps. */
export interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Rows of the picture as displayed, RGBA and opaque: the stored pixels cropped, then turned and mirrored by an EXIF
 * orientation (1..8), with any transparency laid over white (a JPEG has no alpha; white is what a page shows behind a
 * transparent photo). Each call reuses one row buffer, so nothing the size of the picture is allocated here.
 */
export class DisplayRows {
  readonly width: number;
  readonly height: number;
  private readonly row: Uint8Array;

  constructor(
    private readonly image: DecodedImage,
    private readonly crop: Crop,
    private readonly orientation: number,
  ) {
    const turned = orientation >= 5;
    this.width = turned ? crop.height : crop.width;
    this.height = turned ? crop.width : crop.height;
    this.row = new Uint8Array(this.width * 4);
  }

  read(y: number): Uint8Array {
    const { image, crop, row } = this;
    const { data, channels, stride } = image;
    for (let x = 0; x < this.width; x += 1) {
      // storedIndex numbers the pixels of the cropped picture row by row.
      const index =
        this.orientation === 1 ? y * crop.width + x : storedIndex(this.orientation, x, y, crop.width, crop.height);
      const sx = crop.left + (index % crop.width);
      const sy = crop.top + Math.floor(index / crop.width);
      const p = sy * stride + sx * channels;
      const alpha = channels === 4 ? data[p + 3]! : 255;
      const o = x * 4;
      if (alpha === 255) {
        row[o] = data[p]!;
        row[o + 1] = data[p + 1]!;
        row[o + 2] = data[p + 2]!;
      } else {
        const white = 255 * (255 - alpha);
        row[o] = Math.round((data[p]! * alpha + white) / 255);
        row[o + 1] = Math.round((data[p + 1]! * alpha + white) / 255);
        row[o + 2] = Math.round((data[p + 2]! * alpha + white) / 255);
      }
      row[o + 3] = 255;
    }
    return row;
  }
}

/**
 * The displayed rows shrunk to `target` by area averaging (the thumbnail core's box weights), one target row at a time:
 * each target row is the weighted sum of the few source rows it covers, each narrowed once (the source row shared by
 * two target rows is kept), so memory is a few rows whatever the picture's size. Rows must be read in order.
 */
export function downscaledRows(source: DisplayRows, target: Size): (y: number) => Uint8Array {
  if (source.width === target.width && source.height === target.height) return (y) => source.read(y);
  const columns = boxWeights(source.width, target.width);
  const rows = boxWeights(source.height, target.height);
  const narrowed = new Float32Array(target.width * 4);
  const sums = new Float32Array(target.width * 4);
  const out = new Uint8Array(target.width * 4);
  const clamped = new Uint8ClampedArray(out.buffer);
  let narrowedRow = -1;
  return (y) => {
    sums.fill(0);
    const first = rows.first[y]!;
    for (let k = 0; k < rows.count[y]!; k += 1) {
      if (narrowedRow !== first + k) {
        narrowRow(source.read(first + k), 0, 4, target.width, columns, narrowed);
        narrowedRow = first + k;
      }
      const weight = rows.weights[y * rows.stride + k]!;
      for (let i = 0; i < sums.length; i += 1) sums[i]! += narrowed[i]! * weight;
    }
    // The rows are opaque, so the premultiplied sums divide by 255 exactly as the thumbnail's finish() does.
    for (let i = 0; i < sums.length; i += 4) {
      const alpha = sums[i + 3]!;
      clamped[i] = Math.round(sums[i]! / alpha);
      clamped[i + 1] = Math.round(sums[i + 1]! / alpha);
      clamped[i + 2] = Math.round(sums[i + 2]! / alpha);
      clamped[i + 3] = 255;
    }
    return out;
  };
}
