import { expect } from 'chai';
import sharp from 'sharp';
import { CorruptImage } from '../../../functions/lib/errors';
import { MAX_JPEG_SCANS, readImageHeader } from '../../../functions/lib/thumbnail/header';
import { fixture, PHOTO, withJpegDimensions, withPngDimensions } from './helpers';

/** SOS with one component, spectral selection 0..0: a valid-looking scan header. */
const SCAN = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]);

describe('readImageHeader', () => {
  it('reads the stored (unrotated) size of a JPEG, skipping the EXIF thumbnail inside APP1', () => {
    expect(readImageHeader(fixture('canon-sx60_chandelier_orient6.jpg'), 'JPEG')).to.deep.equal({
      width: 2048,
      height: 1536,
      jpegFrame: { marker: 0xc0, precision: 8, components: 3 },
    });
    expect(readImageHeader(fixture('unsplash_portrait_orient8.jpg'), 'JPEG')).to.include({ width: 1800, height: 1200 });
  });

  it('reads a progressive JPEG', async () => {
    const progressive = await sharp(fixture(PHOTO)).jpeg({ progressive: true }).toBuffer();
    expect(readImageHeader(progressive, 'JPEG')).to.deep.include({
      width: 800,
      height: 600,
      jpegFrame: { marker: 0xc2, precision: 8, components: 3 },
    });
  });

  it('reads a PNG', () => {
    const header = readImageHeader(fixture('skimage_coffee.png'), 'PNG');
    expect(header).to.include({ width: 600, height: 400 });
    expect(header.pngFrame).to.include({ bitsPerPixel: 24, interlaced: false });
    expect(header.pngFrame?.imageData.length).to.be.above(0);
  });

  it('returns what a forged header claims, so the caller can refuse it before decoding', () => {
    expect(readImageHeader(withJpegDimensions(fixture(PHOTO), 65535, 65535), 'JPEG')).to.include({
      width: 65535,
      height: 65535,
    });
    expect(readImageHeader(withPngDimensions(fixture('skimage_coffee.png'), 100_000, 100_000), 'PNG')).to.include({
      width: 100_000,
      height: 100_000,
    });
  });

  it('tells a CMYK JPEG by its four components', async () => {
    const cmyk = await sharp(fixture(PHOTO)).toColourspace('cmyk').jpeg().toBuffer();
    expect(readImageHeader(cmyk, 'JPEG').jpegFrame).to.include({ components: 4 });
  });

  it('hands the PNG decoder its colour type, bit depth, palette and transparency', async () => {
    const palette = await sharp(fixture('skimage_coffee.png'))
      .ensureAlpha(0.5)
      .png({ palette: true, colours: 4 })
      .toBuffer();
    const frame = readImageHeader(palette, 'PNG').pngFrame;
    expect(frame).to.include({ colourType: 3, bitDepth: 2, bitsPerPixel: 2 });
    expect(frame?.methods).to.deep.equal([0, 0, 0]);
    expect(frame?.palette?.length).to.equal(12);
    expect(frame?.transparency?.length).to.be.within(1, 4);
    expect(frame?.unknownCriticalChunk).to.equal(undefined);
    const grey16 = readImageHeader(
      await sharp(fixture('skimage_coffee.png')).toColourspace('grey16').png().toBuffer(),
      'PNG',
    ).pngFrame;
    expect(grey16).to.include({ colourType: 0, bitDepth: 16, bitsPerPixel: 16 });
    expect(grey16?.palette).to.equal(undefined);
  });

  it('tells an interlaced PNG', async () => {
    const interlaced = await sharp(fixture('skimage_coffee.png')).png({ progressive: true }).toBuffer();
    expect(readImageHeader(interlaced, 'PNG').pngFrame).to.include({ interlaced: true });
  });

  it('refuses bytes of the other format', () => {
    expect(() => readImageHeader(fixture('skimage_coffee.png'), 'JPEG')).to.throw(CorruptImage, /not a JPEG/);
    expect(() => readImageHeader(fixture(PHOTO), 'PNG')).to.throw(CorruptImage, /not a PNG/);
  });

  it('refuses a JPEG cut short, wherever the cut is', () => {
    const photo = fixture(PHOTO);
    for (const length of [0, 1, 2, 3, 100, 5000, Math.floor(photo.length / 2), photo.length - 1]) {
      expect(() => readImageHeader(photo.subarray(0, length), 'JPEG'), `cut at ${length}`).to.throw(CorruptImage);
    }
  });

  it('refuses as CorruptImage, never a RangeError, a JPEG cut at any byte of its first segment or around its frame header', () => {
    const photo = fixture(PHOTO);
    const sof = photo.findIndex((byte, at) => byte === 0xff && photo[at + 1] === 0xc0);
    expect(sof).to.be.above(0);
    const cuts = Array.from({ length: 16 }, (_, i) => sof - 2 + i);
    const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    for (const length of [...cuts, ...lengths]) {
      expect(() => readImageHeader(photo.subarray(0, length), 'JPEG'), `cut at ${length}`).to.throw(CorruptImage);
    }
  });

  it('accepts bytes after EOI (camera trailers)', () => {
    const photo = fixture(PHOTO);
    expect(readImageHeader(Buffer.concat([photo, Buffer.from('trailer')]), 'JPEG')).to.include({
      width: 800,
      height: 600,
    });
  });

  it('refuses a JPEG frame of 0 lines (DNL) and a JPEG without a scan', () => {
    expect(() => readImageHeader(withJpegDimensions(fixture(PHOTO), 800, 0), 'JPEG')).to.throw(
      CorruptImage,
      /dimensions/,
    );
    expect(() => readImageHeader(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'JPEG')).to.throw(CorruptImage, /no frame/);
  });

  it(`refuses a JPEG of more than ${MAX_JPEG_SCANS} scans (a CPU bomb for progressive decoders)`, () => {
    const photo = fixture(PHOTO);
    const eoi = photo.length - 2;
    const manyScans = Buffer.concat([
      photo.subarray(0, eoi),
      ...new Array<Buffer>(MAX_JPEG_SCANS).fill(SCAN),
      photo.subarray(eoi),
    ]);
    expect(() => readImageHeader(manyScans, 'JPEG')).to.throw(CorruptImage, /scans/);
  });

  it('refuses a PNG cut short, without IDAT, or with a zero dimension', () => {
    const png = fixture('skimage_coffee.png');
    for (const length of [0, 8, 20, 40, Math.floor(png.length / 2), png.length - 1]) {
      expect(() => readImageHeader(png.subarray(0, length), 'PNG'), `cut at ${length}`).to.throw(CorruptImage);
    }
    const iend = png.subarray(png.length - 12);
    expect(() => readImageHeader(Buffer.concat([png.subarray(0, 33), iend]), 'PNG')).to.throw(CorruptImage, /IDAT/);
    expect(() => readImageHeader(withPngDimensions(png, 0, 400), 'PNG')).to.throw(CorruptImage, /dimensions/);
  });
});
