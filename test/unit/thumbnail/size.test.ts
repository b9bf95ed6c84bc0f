import { expect } from 'chai';
import { thumbnailSize } from '../../../functions/lib/thumbnail';

describe('thumbnailSize', () => {
  it('fits the long side of a landscape photo and keeps the aspect ratio', () => {
    expect(thumbnailSize(4032, 3024, 250)).to.deep.equal({ width: 250, height: 188 });
    expect(thumbnailSize(4032, 3024, 256)).to.deep.equal({ width: 256, height: 192 });
  });

  it('fits the long side of a portrait photo', () => {
    expect(thumbnailSize(3024, 4032, 256)).to.deep.equal({ width: 192, height: 256 });
  });

  it('never upscales an image already within maxSize', () => {
    expect(thumbnailSize(100, 50, 256)).to.deep.equal({ width: 100, height: 50 });
    expect(thumbnailSize(256, 256, 256)).to.deep.equal({ width: 256, height: 256 });
    expect(thumbnailSize(1, 1, 256)).to.deep.equal({ width: 1, height: 1 });
  });

  it('shrinks a square to maxSize on both sides', () => {
    expect(thumbnailSize(1000, 1000, 250)).to.deep.equal({ width: 250, height: 250 });
  });

  it('keeps at least one pixel on the short side of an extreme panorama', () => {
    expect(thumbnailSize(100_000, 10, 250)).to.deep.equal({ width: 250, height: 1 });
    expect(thumbnailSize(10, 100_000, 250)).to.deep.equal({ width: 1, height: 250 });
  });

  it('rounds the short side to the nearest pixel', () => {
    expect(thumbnailSize(1000, 333, 100)).to.deep.equal({ width: 100, height: 33 });
    expect(thumbnailSize(1000, 335, 100)).to.deep.equal({ width: 100, height: 34 });
  });

  it('handles maxSize 1', () => {
    expect(thumbnailSize(640, 480, 1)).to.deep.equal({ width: 1, height: 1 });
  });

  it('refuses sizes that are not positive integers', () => {
    for (const [width, height, maxSize] of [
      [0, 10, 10],
      [10, -1, 10],
      [10, 10, 0],
      [1.5, 10, 10],
      [10, 10, Number.NaN],
      [Infinity, 10, 10],
    ]) {
      expect(() => thumbnailSize(width ?? 0, height ?? 0, maxSize ?? 0)).to.throw(RangeError);
    }
  });
});
