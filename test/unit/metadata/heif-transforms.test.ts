import { expect } from 'chai';
import { displayedSize, orientationOf, type HeifTransform } from '../../../functions/lib/metadata/heif';

describe('HEIF transforms as an EXIF orientation and a displayed size', () => {
  const irot = (quarterTurns: number): HeifTransform => ({ type: 'irot', quarterTurns });
  const imir = (axis: number): HeifTransform => ({ type: 'imir', axis });

  it('maps anticlockwise turns and mirrors, in file order, to the EXIF orientation that shows the same picture', () => {
    const cases: [HeifTransform[], number][] = [
      [[], 1],
      [[imir(0)], 2], // left and right swap
      [[irot(2)], 3],
      [[imir(1)], 4], // top and bottom swap
      [[irot(1), imir(1)], 5], // transpose
      [[irot(3)], 6], // a quarter turn clockwise: iPhones' portrait photos
      [[irot(3), imir(1)], 7],
      [[irot(1)], 8],
      [[irot(2), imir(0)], 4],
      [[imir(0), imir(0)], 1],
    ];
    for (const [transforms, orientation] of cases) {
      expect(orientationOf(transforms), JSON.stringify(transforms)).to.equal(orientation);
    }
  });

  it('crops with clap, swaps the sides for odd quarter turns, and ignores mirrors', () => {
    const stored = { width: 4032, height: 3024 };
    const clap: HeifTransform = { type: 'clap', width: 4000, height: 3000, left: 16, top: 12 };
    expect(displayedSize({ stored, transforms: [irot(3)], itemTypes: [] })).to.deep.equal({
      width: 3024,
      height: 4032,
    });
    expect(displayedSize({ stored, transforms: [clap, irot(1), imir(0)], itemTypes: [] })).to.deep.equal({
      width: 3000,
      height: 4000,
    });
    expect(displayedSize({ stored, transforms: [irot(2), imir(1)], itemTypes: [] })).to.deep.equal(stored);
    expect(displayedSize({ transforms: [], itemTypes: [] })).to.equal(undefined);
  });
});
