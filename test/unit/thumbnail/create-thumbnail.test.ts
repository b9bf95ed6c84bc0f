import { expect } from 'chai';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { CorruptImage, ImageTooLarge } from '../../../functions/lib/errors';
import {
  createThumbnail,
  thumbnailSize,
  type SourceImage,
  type ThumbnailOptions,
} from '../../../functions/lib/thumbnail';
import {
  coarseDifference,
  fixPngChunkCrc,
  fixture,
  jpegHeaderMarkers,
  orientedJpeg,
  PHOTO,
  pngChunkTypes,
  raw,
  segmentOffset,
  sharpThumbnail,
  startOfFrameOffset,
  withJpegDimensions,
  withPngDimensions,
} from './helpers';

const OPTIONS: ThumbnailOptions = { maxSize: 128, maxPixels: 50_000_000 };

/** The displayed size of the bytes, as the metadata step would pass it. */
async function sourceOf(bytes: Buffer, format: SourceImage['format']): Promise<SourceImage> {
  const { autoOrient, orientation } = await sharp(bytes).metadata();
  return { bytes, format, width: autoOrient.width, height: autoOrient.height, ...(orientation ? { orientation } : {}) };
}

async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'expected a rejection').to.be.instanceOf(Error);
  return outcome as Error;
}

/** A coarse pixel check that tells orientations apart: same-picture differences stay far below this. */
const SAME_PICTURE = 12;

describe('createThumbnail', () => {
  describe('JPEG', () => {
    it('fits within maxSize, keeps the aspect ratio and answers JPEG', async () => {
      const thumbnail = await createThumbnail(await sourceOf(fixture(PHOTO), 'JPEG'), OPTIONS);
      expect(thumbnail).to.include({ width: 128, height: 96, format: 'JPEG', contentType: 'image/jpeg' });
      const decoded = await raw(thumbnail.body);
      expect(decoded).to.include({ width: 128, height: 96 });
    });

    it('matches sharp on a real photo (coarse pixels)', async () => {
      const photo = fixture(PHOTO);
      const thumbnail = await createThumbnail(await sourceOf(photo, 'JPEG'), OPTIONS);
      expect(await coarseDifference(thumbnail.body, await sharpThumbnail(photo, 128))).to.be.below(SAME_PICTURE / 2);
    });

    it('never upscales a small image', async () => {
      const tiny = fixture('exifreader-fixture_iptc_tiny.jpg');
      const thumbnail = await createThumbnail(await sourceOf(tiny, 'JPEG'), OPTIONS);
      expect(thumbnail).to.include({ width: 22, height: 12 });
      expect(await raw(thumbnail.body)).to.include({ width: 22, height: 12 });
    });

    for (let orientation = 1; orientation <= 8; orientation += 1) {
      it(`applies EXIF orientation ${orientation} exactly once, like sharp's rotate()`, async () => {
        const tagged = await orientedJpeg(orientation);
        const thumbnail = await createThumbnail(await sourceOf(tagged, 'JPEG'), OPTIONS);
        const reference = await sharpThumbnail(tagged, 128);
        const expected = await raw(reference);
        expect({ width: thumbnail.width, height: thumbnail.height }).to.deep.equal({
          width: expected.width,
          height: expected.height,
        });
        expect(await coarseDifference(thumbnail.body, reference)).to.be.below(SAME_PICTURE);
        if (orientation !== 1) {
          // The check above would be blind if the orientations looked alike.
          const unrotated = await sharpThumbnail(await orientedJpeg(1), 128);
          if (expected.width === 128)
            expect(await coarseDifference(thumbnail.body, unrotated)).to.be.above(SAME_PICTURE * 2);
        }
      });
    }

    for (const orientation of [1, 3, 6, 8]) {
      it(`decodes a progressive JPEG with orientation ${orientation}`, async () => {
        const tagged = await orientedJpeg(orientation, { progressive: true });
        const thumbnail = await createThumbnail(await sourceOf(tagged, 'JPEG'), OPTIONS);
        expect(await coarseDifference(thumbnail.body, await sharpThumbnail(tagged, 128))).to.be.below(SAME_PICTURE);
      });
    }

    it('rotates a real orientation-6 camera file to landscape-as-shot portrait', async () => {
      const camera = fixture('canon-sx60_chandelier_orient6.jpg');
      const thumbnail = await createThumbnail(await sourceOf(camera, 'JPEG'), { ...OPTIONS, maxSize: 250 });
      expect(thumbnail).to.include({ width: 188, height: 250 });
      expect(await coarseDifference(thumbnail.body, await sharpThumbnail(camera, 250))).to.be.below(SAME_PICTURE);
    });

    it('uses the orientation it is given, not one of its own', async () => {
      const tagged = await orientedJpeg(6);
      const asStored = await createThumbnail({ bytes: tagged, format: 'JPEG', width: 800, height: 600 }, OPTIONS);
      expect(asStored).to.include({ width: 128, height: 96 });
    });

    it('uses a DCT scale that is not a power of two when it fits best (3/8 of 800 is 300)', async () => {
      const photo = fixture(PHOTO);
      const thumbnail = await createThumbnail(await sourceOf(photo, 'JPEG'), { ...OPTIONS, maxSize: 300 });
      expect(thumbnail).to.include({ width: 300, height: 225 });
      expect(await coarseDifference(thumbnail.body, await sharpThumbnail(photo, 300))).to.be.below(SAME_PICTURE / 2);
    });

    it('writes no EXIF, GPS or other metadata segment', async () => {
      const withGps = fixture('iphone6_wisteria_8mp_gps.jpg');
      const thumbnail = await createThumbnail(await sourceOf(withGps, 'JPEG'), { ...OPTIONS, maxSize: 250 });
      const markers = jpegHeaderMarkers(thumbnail.body);
      expect(
        markers.filter((marker) => marker >= 0xe1 && marker <= 0xef),
        'APP1..APP15',
      ).to.deep.equal([]);
      expect(markers).not.to.include(0xfe);
      expect(Buffer.from(thumbnail.body).includes('Exif')).to.equal(false);
      const metadata = await sharp(thumbnail.body).metadata();
      expect(metadata.exif).to.equal(undefined);
      expect(metadata.icc).to.equal(undefined);
    });

    it('writes quality 80 by default and honours jpegQuality', async () => {
      const source = await sourceOf(fixture(PHOTO), 'JPEG');
      const byDefault = await createThumbnail(source, OPTIONS);
      const at80 = await createThumbnail(source, { ...OPTIONS, jpegQuality: 80 });
      const at30 = await createThumbnail(source, { ...OPTIONS, jpegQuality: 30 });
      expect(Buffer.compare(byDefault.body, at80.body)).to.equal(0);
      expect(at30.body.length).to.be.below(at80.body.length);
    });

    it('decodes a CMYK JPEG (libjpeg-turbo at a reduced scale, ink turned into RGB here)', async () => {
      const cmyk = await sharp(fixture(PHOTO)).toColourspace('cmyk').jpeg().withMetadata({ orientation: 6 }).toBuffer();
      const thumbnail = await createThumbnail(await sourceOf(cmyk, 'JPEG'), OPTIONS);
      expect(thumbnail).to.include({ width: 96, height: 128 });
      const rgbReference = await sharpThumbnail(await orientedJpeg(6), 128);
      expect(await coarseDifference(thumbnail.body, rgbReference)).to.be.below(SAME_PICTURE * 2);
    });
  });

  describe('PNG', () => {
    it('fits within maxSize and answers PNG without alpha for an opaque image', async () => {
      const thumbnail = await createThumbnail(await sourceOf(fixture('skimage_coffee.png'), 'PNG'), OPTIONS);
      expect(thumbnail).to.include({ width: 128, height: 85, format: 'PNG', contentType: 'image/png' });
      const metadata = await sharp(thumbnail.body).metadata();
      expect(metadata).to.include({ format: 'png', width: 128, height: 85, hasAlpha: false });
      expect(
        await coarseDifference(thumbnail.body, await sharpThumbnail(fixture('skimage_coffee.png'), 128)),
      ).to.be.below(SAME_PICTURE / 2);
    });

    it('keeps the alpha channel of a transparent PNG', async () => {
      // Left half opaque photo, right half fully transparent, a band of half transparency between.
      const { data, info } = await sharp(fixture('skimage_astronaut.png'))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      for (let y = 0; y < info.height; y += 1) {
        for (let x = info.width / 2; x < info.width; x += 1)
          data[(y * info.width + x) * 4 + 3] = x < info.width * 0.75 ? 128 : 0;
      }
      const transparent = await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
        .png()
        .toBuffer();
      const thumbnail = await createThumbnail(await sourceOf(transparent, 'PNG'), OPTIONS);
      const out = await raw(thumbnail.body, { alpha: true });
      expect(out).to.include({ width: 128, height: 128, channels: 4 });
      const alphaAt = (x: number, y: number) => out.data[(y * out.width + x) * 4 + 3];
      expect(alphaAt(10, 64)).to.equal(255);
      expect(alphaAt(80, 64)).to.be.within(120, 136);
      expect(alphaAt(120, 64)).to.equal(0);
    });

    it('applies the orientation of a PNG eXIf chunk as sharp does', async () => {
      const tagged = await sharp(fixture(PHOTO)).png().withMetadata({ orientation: 8 }).toBuffer();
      const thumbnail = await createThumbnail(await sourceOf(tagged, 'PNG'), OPTIONS);
      expect(thumbnail).to.include({ width: 96, height: 128 });
      expect(await coarseDifference(thumbnail.body, await sharpThumbnail(tagged, 128))).to.be.below(SAME_PICTURE);
    });

    const variants: Array<[string, (image: sharp.Sharp) => sharp.Sharp]> = [
      ['an interlaced (Adam7)', (image) => image.png({ progressive: true })],
      ['a palette', (image) => image.png({ palette: true, colours: 64 })],
      ['a 2-bit palette', (image) => image.png({ palette: true, colours: 4 })],
      ['a 16-bit RGB', (image) => image.toColourspace('rgb16').png()],
      ['a grey', (image) => image.greyscale().png()],
      ['a grey-with-alpha', (image) => image.greyscale().ensureAlpha(0.5).png()],
    ];
    for (const [name, encode] of variants) {
      it(`decodes ${name} PNG like sharp`, async () => {
        const png = await encode(sharp(fixture('skimage_chelsea-cat.png'))).toBuffer();
        const thumbnail = await createThumbnail(await sourceOf(png, 'PNG'), OPTIONS);
        expect(thumbnail).to.include({ width: 128, height: 85 });
        expect(await coarseDifference(thumbnail.body, await sharpThumbnail(png, 128))).to.be.below(SAME_PICTURE / 2);
      });
    }

    it('never upscales a small PNG', async () => {
      const small = await sharp(fixture('skimage_coffee.png')).resize(60, 40).png().toBuffer();
      const thumbnail = await createThumbnail(await sourceOf(small, 'PNG'), OPTIONS);
      expect(thumbnail).to.include({ width: 60, height: 40 });
    });

    it('copies no eXIf, text or colour-profile chunk', async () => {
      const withGps = fixture('generated_nikon-p6000_gps.png');
      expect(pngChunkTypes(withGps)).to.include('eXIf');
      const thumbnail = await createThumbnail(await sourceOf(withGps, 'PNG'), OPTIONS);
      const chunks = pngChunkTypes(thumbnail.body);
      expect(chunks[0]).to.equal('IHDR');
      expect(chunks.filter((type) => !['IHDR', 'IDAT', 'IEND'].includes(type))).to.deep.equal([]);
    });
  });

  describe('refusals', () => {
    it('refuses dimensions over maxPixels as ImageTooLarge without looking at the bytes', async () => {
      const error = await expectRejection(
        createThumbnail({ bytes: new Uint8Array([1, 2, 3]), format: 'JPEG', width: 100_000, height: 100_000 }, OPTIONS),
      );
      expect(error)
        .to.be.instanceOf(ImageTooLarge)
        .and.to.include({ name: 'ImageTooLarge', width: 100_000, height: 100_000 });
    });

    it('refuses a JPEG whose header claims 65535x65535 while the caller was told otherwise (no decode)', async () => {
      const forged = withJpegDimensions(fixture(PHOTO), 65535, 65535);
      const error = await expectRejection(
        createThumbnail({ bytes: forged, format: 'JPEG', width: 800, height: 600 }, OPTIONS),
      );
      expect(error).to.be.instanceOf(ImageTooLarge).and.to.include({ width: 65535, height: 65535 });
    });

    it('refuses a PNG whose header claims 100000x100000 (no inflate)', async () => {
      const forged = withPngDimensions(fixture('skimage_coffee.png'), 100_000, 100_000);
      const error = await expectRejection(
        createThumbnail({ bytes: forged, format: 'PNG', width: 600, height: 400 }, OPTIONS),
      );
      expect(error).to.be.instanceOf(ImageTooLarge).and.to.include({ width: 100_000, height: 100_000 });
    });

    it('refuses just over the pixel budget and accepts exactly at it', async () => {
      const source = await sourceOf(fixture(PHOTO), 'JPEG');
      await expectRejection(createThumbnail(source, { ...OPTIONS, maxPixels: 800 * 600 - 1 })).then((error) =>
        expect(error).to.be.instanceOf(ImageTooLarge),
      );
      expect(await createThumbnail(source, { ...OPTIONS, maxPixels: 800 * 600 })).to.include({ width: 128 });
    });

    it('refuses a truncated JPEG as CorruptImage', async () => {
      const photo = fixture(PHOTO);
      const error = await expectRejection(
        createThumbnail({ ...(await sourceOf(photo, 'JPEG')), bytes: photo.subarray(0, photo.length * 0.6) }, OPTIONS),
      );
      expect(error).to.be.instanceOf(CorruptImage).and.to.include({ name: 'CorruptImage' });
      expect(error.message).to.match(/truncated/);
    });

    it('refuses a JPEG whose scan data stops early even if it ends with EOI (libjpeg would paint it grey)', async () => {
      const photo = fixture(PHOTO);
      const cut = Buffer.concat([photo.subarray(0, photo.length * 0.6), Buffer.from([0xff, 0xd9])]);
      const error = await expectRejection(createThumbnail({ ...(await sourceOf(photo, 'JPEG')), bytes: cut }, OPTIONS));
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/corrupt or truncated/);
    });

    it('refuses a JPEG with broken tables as CorruptImage rather than let a lenient decoder guess', async () => {
      const photo = Buffer.from(fixture(PHOTO));
      const dht = segmentOffset(photo, (marker) => marker === 0xc4);
      photo.fill(0xee, dht + 3, dht + 19); // 0xEE codes of every length: an impossible Huffman table
      const error = await expectRejection(
        createThumbnail(await sourceOf(fixture(PHOTO), 'JPEG').then((s) => ({ ...s, bytes: photo })), OPTIONS),
      );
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/corrupt/);
    });

    it('refuses a truncated PNG, a PNG failing its CRC and a PNG whose image data does not inflate as CorruptImage', async () => {
      const png = fixture('skimage_coffee.png');
      const source = await sourceOf(png, 'PNG');
      const truncated = await expectRejection(
        createThumbnail({ ...source, bytes: png.subarray(0, png.length / 2) }, OPTIONS),
      );
      expect(truncated).to.be.instanceOf(CorruptImage);
      const damaged = Buffer.from(png);
      const idat = damaged.indexOf('IDAT') - 4;
      damaged.fill(0xff, idat + 8, idat + 10); // the zlib header of the image data: no such compression method
      const badCrc = await expectRejection(createThumbnail({ ...source, bytes: damaged }, OPTIONS));
      expect(badCrc).to.be.instanceOf(CorruptImage);
      expect(badCrc.message).to.match(/IDAT fails its CRC/);
      fixPngChunkCrc(damaged, idat);
      const badData = await expectRejection(createThumbnail({ ...source, bytes: damaged }, OPTIONS));
      expect(badData).to.be.instanceOf(CorruptImage);
      expect(badData.message).to.match(/PNG could not be decoded/);
    });

    it('reads an interlaced PNG only up to its last row, so image data inflating far past it is never expanded', async () => {
      const ihdr = Buffer.from([
        0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 100, 0, 0, 0, 100, 8, 2, 0, 0, 1, 0, 0, 0, 0,
      ]);
      // 1 GiB of zeros deflates to ~1 MB: filter None and black pixels for the 100x100 image, then far more.
      const idatData = deflateSync(Buffer.alloc(2 ** 30));
      const idat = Buffer.concat([Buffer.alloc(4), Buffer.from('IDAT'), idatData, Buffer.alloc(4)]);
      idat.writeUInt32BE(idatData.length, 0);
      const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
      const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, idat, iend]);
      fixPngChunkCrc(bomb, 8);
      fixPngChunkCrc(bomb, 33);
      const thumbnail = await createThumbnail({ bytes: bomb, format: 'PNG', width: 100, height: 100 }, OPTIONS);
      const pixels = await raw(thumbnail.body);
      expect(pixels).to.include({ width: 100, height: 100 });
      expect(pixels.data.every((value) => value === 0)).to.equal(true);
    });

    it('refuses a 12-bit JPEG with a clear message (this libjpeg-turbo build reads 8-bit samples only)', async () => {
      const photo = Buffer.from(fixture(PHOTO));
      // The frame header's first byte after its length is the sample precision.
      photo[startOfFrameOffset(photo) + 2] = 12;
      const error = await expectRejection(
        createThumbnail({ bytes: photo, format: 'JPEG', width: 800, height: 600 }, OPTIONS),
      );
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.match(/12-bit samples/);
    });

    it('refuses an arithmetic-coded JPEG with a clear message (no decoder here reads it)', async () => {
      const photo = Buffer.from(fixture(PHOTO));
      photo[startOfFrameOffset(photo) - 1] = 0xc9;
      const error = await expectRejection(
        createThumbnail({ bytes: photo, format: 'JPEG', width: 800, height: 600 }, OPTIONS),
      );
      expect(error).to.be.instanceOf(CorruptImage);
      expect(error.message).to.equal('JPEG uses arithmetic coding, which cannot be decoded here');
    });

    it('refuses bytes that are not the format the metadata step reported', async () => {
      const error = await expectRejection(
        createThumbnail({ bytes: fixture('skimage_coffee.png'), format: 'JPEG', width: 600, height: 400 }, OPTIONS),
      );
      expect(error).to.be.instanceOf(CorruptImage);
    });

    it('refuses options that make no sense', async () => {
      const source = await sourceOf(fixture(PHOTO), 'JPEG');
      for (const options of [
        { maxSize: 0, maxPixels: 1e6 },
        { maxSize: 10, maxPixels: 0 },
        { maxSize: 10, maxPixels: 1e6, jpegQuality: 0 },
        { maxSize: 10, maxPixels: 1e6, jpegQuality: 101 },
      ]) {
        expect(await expectRejection(createThumbnail(source, options))).to.be.instanceOf(RangeError);
      }
    });
  });

  it('agrees with thumbnailSize for every fixture photo', async () => {
    for (const [name, format] of [
      ['unsplash_landscape_orient6.jpg', 'JPEG'],
      ['unsplash_portrait_orient8.jpg', 'JPEG'],
      ['skimage_chelsea-cat.png', 'PNG'],
    ] as const) {
      const source = await sourceOf(fixture(name), format);
      const thumbnail = await createThumbnail(source, { ...OPTIONS, maxSize: 250 });
      expect({ width: thumbnail.width, height: thumbnail.height }, name).to.deep.equal(
        thumbnailSize(source.width, source.height, 250),
      );
      expect(await coarseDifference(thumbnail.body, await sharpThumbnail(fixture(name), 250)), name).to.be.below(
        SAME_PICTURE,
      );
    }
  });
});
