import { expect } from 'chai';
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { encodeJpeg } from '../../../functions/lib/thumbnail/jpeg-encoder';
import { fixture, jpegHeaderMarkers, raw } from './helpers';

async function photoBitmap(width: number, height: number): Promise<{ width: number; height: number; data: Buffer }> {
  const data = await sharp(fixture('skimage_astronaut.png'))
    .resize(width, height, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer();
  return { width, height, data };
}

function meanSsim(
  a: { width: number; height: number; data: Buffer },
  b: { width: number; height: number; data: Buffer },
): number {
  const image = (x: typeof a) => ({
    width: x.width,
    height: x.height,
    data: new Uint8ClampedArray(x.data.buffer, x.data.byteOffset, x.data.length),
  });
  return ssim(image(a), image(b)).mssim;
}

describe('encodeJpeg', () => {
  it('writes a baseline JFIF that libjpeg decodes without a warning, as close to the input as libjpeg at the same quality', async () => {
    const input = await photoBitmap(256, 192);
    const ours = await raw(encodeJpeg(input, 80), { alpha: true });
    const libjpeg = await raw(
      await sharp(input.data, { raw: { width: 256, height: 192, channels: 4 } })
        .jpeg({ quality: 80 })
        .toBuffer(),
      { alpha: true },
    );
    expect(ours).to.include({ width: 256, height: 192 });
    const ourScore = meanSsim(ours, input);
    expect(ourScore).to.be.above(0.97);
    expect(ourScore).to.be.closeTo(meanSsim(libjpeg, input), 0.005);
  });

  it('encodes sizes that are not multiples of the 16x16 block, down to 1x1', async () => {
    for (const [width, height] of [
      [1, 1],
      [17, 33],
      [255, 171],
      [16, 16],
      [3, 200],
    ] as const) {
      const decoded = await raw(encodeJpeg(await photoBitmap(width, height), 80));
      expect(decoded, `${width}x${height}`).to.include({ width, height });
    }
  });

  it('keeps flat colours flat (no colour shift from the YCbCr conversion)', async () => {
    const width = 40;
    const height = 24;
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < data.length; i += 4) data.set([200, 40, 90, 255], i);
    const decoded = await raw(encodeJpeg({ width, height, data }, 90));
    for (const [channel, expected] of [
      [0, 200],
      [1, 40],
      [2, 90],
    ] as const) {
      expect(decoded.data[(10 * width + 20) * 3 + channel]).to.be.closeTo(expected, 2);
    }
  });

  it('trades size for quality like libjpeg and survives quality 1 and 100', async () => {
    const input = await photoBitmap(128, 96);
    const sizes = [1, 30, 80, 100].map((quality) => encodeJpeg(input, quality).length);
    expect(sizes).to.deep.equal([...sizes].sort((a, b) => a - b));
    for (const quality of [1, 100]) expect(await raw(encodeJpeg(input, quality))).to.include({ width: 128 });
  });

  it('writes nothing but JFIF, tables, frame and scan', async () => {
    expect(jpegHeaderMarkers(encodeJpeg(await photoBitmap(32, 32), 80))).to.deep.equal([0xe0, 0xdb, 0xc0, 0xc4, 0xda]);
  });
});
