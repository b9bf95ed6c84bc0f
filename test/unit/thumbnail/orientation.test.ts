import { expect } from 'chai';
import type { Bitmap } from '../../../functions/lib/thumbnail/bitmap';
import { applyOrientation, normalizeOrientation } from '../../../functions/lib/thumbnail/orientation';

/** A 3x2 bitmap whose pixel values are their labels a..f (row-major), to read transforms at a glance. */
function labelled(): Bitmap {
  const data = Buffer.alloc(3 * 2 * 4);
  'abcdef'.split('').forEach((label, i) => data.writeUInt32LE(label.charCodeAt(0), i * 4));
  return { width: 3, height: 2, data };
}

function rows(bitmap: Bitmap): string[] {
  const out: string[] = [];
  for (let y = 0; y < bitmap.height; y += 1) {
    let row = '';
    for (let x = 0; x < bitmap.width; x += 1)
      row += String.fromCharCode(bitmap.data.readUInt32LE((y * bitmap.width + x) * 4));
    out.push(row);
  }
  return out;
}

describe('applyOrientation', () => {
  // Stored:  abc   The table gives what a viewer shows for each EXIF orientation (exif_orientation.html).
  //          def
  const displayed: Record<number, string[]> = {
    1: ['abc', 'def'],
    2: ['cba', 'fed'],
    3: ['fed', 'cba'],
    4: ['def', 'abc'],
    5: ['ad', 'be', 'cf'],
    6: ['da', 'eb', 'fc'],
    7: ['fc', 'eb', 'da'],
    8: ['cf', 'be', 'ad'],
  };

  for (const [orientation, expected] of Object.entries(displayed)) {
    it(`shows orientation ${orientation} as a viewer does`, () => {
      const result = applyOrientation(labelled(), Number(orientation));
      expect(rows(result)).to.deep.equal(expected);
      expect(result.width * result.height).to.equal(6);
    });
  }

  it('works on a bitmap whose buffer is not 4-byte aligned', () => {
    const backing = Buffer.alloc(3 * 2 * 4 + 1);
    const data = backing.subarray(1);
    labelled().data.copy(data);
    expect(rows(applyOrientation({ width: 3, height: 2, data }, 6))).to.deep.equal(displayed[6]);
  });
});

describe('normalizeOrientation', () => {
  it('keeps 1..8 and treats anything else as 1', () => {
    for (let orientation = 1; orientation <= 8; orientation += 1)
      expect(normalizeOrientation(orientation)).to.equal(orientation);
    for (const bad of [undefined, 0, 9, -1, 2.5, Number.NaN]) expect(normalizeOrientation(bad)).to.equal(1);
  });
});
