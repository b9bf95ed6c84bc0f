import jpeg from '@jimp/js-jpeg';
import { expect } from 'chai';
import sharp from 'sharp';
import { CorruptImage } from '../../../functions/lib/errors';
import {
  dctScaledSize,
  decodeJpegScaled,
  FastDecodeUnavailable,
  inkToRgba,
} from '../../../functions/lib/thumbnail/jpeg-fast-decode';
import { resizeBitmap } from '../../../functions/lib/thumbnail/resize';
import { coarseDifference, fixture, PHOTO } from './helpers';

function asPng(bitmap: { width: number; height: number; data: Buffer }): Promise<Buffer> {
  return sharp(bitmap.data, { raw: { width: bitmap.width, height: bitmap.height, channels: 4 } })
    .png()
    .toBuffer();
}

describe('dctScaledSize', () => {
  it('picks the smallest eighth that still covers the target', () => {
    expect(dctScaledSize({ width: 4032, height: 3024 }, { width: 250, height: 188 })).to.deep.equal({
      width: 504,
      height: 378,
    });
    expect(dctScaledSize({ width: 4032, height: 3024 }, { width: 505, height: 379 })).to.deep.equal({
      width: 1008,
      height: 756,
    });
    expect(dctScaledSize({ width: 800, height: 600 }, { width: 300, height: 225 })).to.deep.equal({
      width: 300,
      height: 225,
    });
  });

  it('rounds up as libjpeg does (TJSCALED) and falls back to full size', () => {
    expect(dctScaledSize({ width: 801, height: 601 }, { width: 100, height: 75 })).to.deep.equal({
      width: 101,
      height: 76,
    });
    expect(dctScaledSize({ width: 640, height: 480 }, { width: 640, height: 480 })).to.deep.equal({
      width: 640,
      height: 480,
    });
    expect(dctScaledSize({ width: 1, height: 1 }, { width: 1, height: 1 })).to.deep.equal({ width: 1, height: 1 });
  });

  it('covers both sides of a very long image', () => {
    expect(dctScaledSize({ width: 8000, height: 10 }, { width: 250, height: 1 })).to.deep.equal({
      width: 1000,
      height: 2,
    });
  });
});

describe('decodeJpegScaled', () => {
  it('decodes an 8 MP photo at 1/8 scale', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const bitmap = decodeJpegScaled(photo, { width: 250, height: 188 });
    expect(bitmap).to.include({ width: 408, height: 306 });
    expect(bitmap.data.length).to.equal(408 * 306 * 4);
    const reference = await sharp(photo).resize(408, 306).png().toBuffer();
    expect(await coarseDifference(await asPng(bitmap), reference)).to.be.below(4);
  });

  it('says it cannot decode a CMYK JPEG as RGB, and decodes the next file normally', async () => {
    const cmyk = await sharp(fixture(PHOTO)).toColourspace('cmyk').jpeg().toBuffer();
    expect(() => decodeJpegScaled(cmyk, { width: 100, height: 75 })).to.throw(FastDecodeUnavailable);
    expect(decodeJpegScaled(fixture(PHOTO), { width: 100, height: 75 })).to.include({ width: 100, height: 75 });
  });

  it('decodes a CMYK JPEG at a reduced scale as jpeg-js did in full, ink to RGB by the same formula', async () => {
    const cmyk = await sharp(fixture(PHOTO)).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const scaled = decodeJpegScaled(cmyk, { width: 100, height: 75 }, true);
    expect(scaled).to.include({ width: 100, height: 75 });
    expect(scaled.data.every((value, i) => i % 4 !== 3 || value === 255)).to.equal(true);
    // The decoder this path replaced: jimp's jpeg-js, whole picture, then the same area average.
    const full = jpeg().decode(cmyk, { formatAsRGBA: true, tolerantDecoding: true });
    const before = resizeBitmap({ width: full.width, height: full.height, data: full.data }, scaled);
    expect(await coarseDifference(await asPng(scaled), await asPng(before))).to.be.below(2);
  });

  it('turns ink into light: no ink is white, full black is black, one full ink takes only its channel', () => {
    const pixels = Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 0, 0, 255, 255, 255, 128, 255, 255, 128]);
    inkToRgba(pixels);
    expect([...pixels]).to.deep.equal([255, 255, 255, 255, 0, 0, 0, 255, 0, 255, 255, 255, 64, 128, 128, 255]);
  });

  it('calls a JPEG whose data stops early CorruptImage, not a grey-filled picture', () => {
    const photo = fixture(PHOTO);
    const cut = Buffer.concat([photo.subarray(0, photo.length / 2), Buffer.from([0xff, 0xd9])]);
    expect(() => decodeJpegScaled(cut, { width: 800, height: 600 })).to.throw(CorruptImage, /corrupt or truncated/);
    expect(decodeJpegScaled(photo, { width: 800, height: 600 })).to.include({ width: 800, height: 600 });
  });

  it('decodes many files in a row without leaking the WASM heap into failure', () => {
    const photo = fixture(PHOTO);
    for (let i = 0; i < 50; i += 1)
      expect(decodeJpegScaled(photo, { width: 200, height: 150 })).to.include({ width: 200 });
  });
});
