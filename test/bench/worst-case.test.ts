import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { MARGIN_SHARE, memoryBudgets } from '../../bench/memory-budget';
import { overBudget, type WorstCaseEntry } from '../../bench/worst-case';
import { padIsoBmff, padJpeg, padPng, padWebp, sizeAtLimit } from '../../bench/worst-case-inputs';
import { convertToJpeg } from '../../functions/lib/convert';
import { createThumbnail } from '../../functions/lib/thumbnail';
import { functionSpecs, loadTemplate, parameterDefaults } from '../../local/template';

/**
 * The worst-case memory bench's own parts (its measurements are its output, checked by `npm run bench`, not here):
 * budgets from template.yaml, the verdict, sizes at the limit, and padded inputs that stay valid files.
 */
const IMAGES = path.join(__dirname, '../fixtures/images');
const MAX_BYTES = 2 * 2 ** 20;

describe('worst-case memory bench', () => {
  it('takes MemorySize, the pixel and byte limits from template.yaml and keeps a quarter as margin', () => {
    const template = loadTemplate();
    const memoryOf = (id: string) => functionSpecs(template).find((fn) => fn.logicalId === id)!.memoryMb;
    const { thumbnail, conversion } = memoryBudgets();
    expect(MARGIN_SHARE).to.equal(0.25);
    expect(thumbnail).to.include({ function: 'GenerateThumbnail', memorySizeMb: memoryOf('GenerateThumbnail') });
    expect(thumbnail.budgetMb).to.equal(thumbnail.memorySizeMb - Math.round(thumbnail.memorySizeMb / 4));
    expect(conversion).to.include({ function: 'ConvertImage', memorySizeMb: memoryOf('ConvertImage') });
    expect(thumbnail.maxPixels).to.equal(Number(parameterDefaults(template).ThumbnailMaxPixels));
    expect(thumbnail.maxBytes).to.equal(52_428_800);
  });

  it('fails an entry whose peak reaches its budget, and only that one', () => {
    const entry = (path: string, peakRssMb: number): WorstCaseEntry => ({
      path,
      megapixels: 40,
      peakRssMb,
      budgetMb: 768,
      inputMb: 50,
      outcome: 'ok',
      ms: 1,
    });
    expect(overBudget({ thumbnail: [entry('a', 767)], conversion: [] })).to.deep.equal([]);
    expect(overBudget({ thumbnail: [entry('a', 767), entry('b', 768)], conversion: [entry('c', 2000)] })).to.deep.equal(
      ['b: 768 MB peak, budget 768 MB', 'c: 2000 MB peak, budget 768 MB'],
    );
  });

  it('makes the largest 4:3 picture within the pixel limit, whole JPEG blocks wide', () => {
    const size = sizeAtLimit(40_000_000);
    expect(size).to.deep.equal({ width: 7296, height: 5472 });
    expect(size.width * size.height).to.be.at.most(40_000_000);
    expect(sizeAtLimit(20_000_000).width % 16).to.equal(0);
  });

  it('pads each format to just under the byte limit with data the decoders skip', async () => {
    const photo = sharp(path.join(IMAGES, 'skimage_coffee.png')).resize(120, 80);
    const jpeg = padJpeg(await photo.clone().jpeg().toBuffer(), MAX_BYTES);
    const png = padPng(await photo.clone().png().toBuffer(), MAX_BYTES);
    for (const [bytes, format] of [
      [jpeg, 'JPEG'],
      [png, 'PNG'],
    ] as const) {
      expect(bytes.length).to.be.within(MAX_BYTES - 8192, MAX_BYTES);
      const thumbnail = await createThumbnail(
        { bytes, format, width: 120, height: 80 },
        { maxSize: 60, maxPixels: 1e6 },
      );
      expect(thumbnail.width, format).to.equal(60);
    }
    const heic = padIsoBmff(readFileSync(path.join(IMAGES, 'generated_nikon-p6000_gps.heic')), MAX_BYTES);
    const avif = padIsoBmff(await photo.clone().avif().toBuffer(), MAX_BYTES);
    const webp = padWebp(readFileSync(path.join(IMAGES, 'generated_nikon-p6000_gps.webp')), MAX_BYTES);
    for (const [bytes, format] of [
      [heic, 'HEIC'],
      [avif, 'AVIF'],
      [webp, 'WEBP'],
    ] as const) {
      expect(bytes.length, format).to.be.within(MAX_BYTES - 8192, MAX_BYTES);
      expect((await convertToJpeg(bytes, format, { maxPixels: 1e6 })).width, format).to.be.above(0);
    }
  });
});
