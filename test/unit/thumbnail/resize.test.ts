import { expect } from 'chai';
import { Jimp } from 'jimp';
import sharp from 'sharp';
import type { Bitmap } from '../../../functions/lib/thumbnail/bitmap';
import { resizeBitmap } from '../../../functions/lib/thumbnail/resize';
import { fixture } from './helpers';

function bitmap(width: number, height: number, pixels: number[][]): Bitmap {
  return { width, height, data: Buffer.from(pixels.flat()) };
}

function pixels(result: Bitmap): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < result.data.length; i += 4) out.push([...result.data.subarray(i, i + 4)]);
  return out;
}

describe('resizeBitmap', () => {
  it('averages whole pixels when the factor is an integer', () => {
    const source = bitmap(4, 1, [
      [0, 0, 0, 255],
      [100, 50, 10, 255],
      [200, 200, 200, 255],
      [100, 100, 100, 255],
    ]);
    expect(pixels(resizeBitmap(source, { width: 2, height: 1 }))).to.deep.equal([
      [50, 25, 5, 255],
      [150, 150, 150, 255],
    ]);
  });

  it('weights the pixel split between two targets by the share each covers', () => {
    const source = bitmap(3, 1, [
      [0, 0, 0, 255],
      [90, 90, 90, 255],
      [255, 255, 255, 255],
    ]);
    // Target 0 covers pixel 0 and half of pixel 1: (0 + 0.5 * 90) / 1.5 = 30.
    expect(pixels(resizeBitmap(source, { width: 2, height: 1 }))).to.deep.equal([
      [30, 30, 30, 255],
      [200, 200, 200, 255],
    ]);
  });

  it('does not let a transparent pixel bleed its colour', () => {
    const source = bitmap(2, 1, [
      [255, 0, 0, 255],
      [0, 255, 0, 0],
    ]);
    expect(pixels(resizeBitmap(source, { width: 1, height: 1 }))).to.deep.equal([[255, 0, 0, 128]]);
  });

  it('keeps fully transparent areas fully transparent', () => {
    const source = bitmap(2, 2, [
      [9, 9, 9, 0],
      [9, 9, 9, 0],
      [9, 9, 9, 0],
      [9, 9, 9, 0],
    ]);
    expect(pixels(resizeBitmap(source, { width: 1, height: 1 }))).to.deep.equal([[0, 0, 0, 0]]);
  });

  it('returns the same bitmap when the size does not change', () => {
    const source = bitmap(1, 1, [[1, 2, 3, 4]]);
    expect(resizeBitmap(source, { width: 1, height: 1 })).to.equal(source);
  });

  it("gives what jimp's default resizer gives on a photo, to within rounding", async () => {
    const { data, info } = await sharp(fixture('skimage_coffee.png'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const source: Bitmap = { width: info.width, height: info.height, data };
    const ours = resizeBitmap(source, { width: 97, height: 65 });
    const jimp = Jimp.fromBitmap({ width: info.width, height: info.height, data: Buffer.from(data) }).resize({
      w: 97,
      h: 65,
    });
    expect(ours).to.include({ width: 97, height: 65 });
    let worst = 0;
    for (let i = 0; i < ours.data.length; i += 1)
      worst = Math.max(worst, Math.abs((ours.data[i] ?? 0) - (jimp.bitmap.data[i] ?? 0)));
    expect(worst).to.be.at.most(1);
  });
});
