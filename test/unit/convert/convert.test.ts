import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ssim } from 'ssim.js';
import { convertToJpeg, type ConvertibleFormat, type Rendition } from '../../../functions/lib/convert';
import { avifMaxPixels } from '../../../functions/lib/convert/inspect';
import { CorruptImage, ImageTooLarge, NotSupportedImageType } from '../../../functions/lib/errors';
import { parseImageMetadata } from '../../../functions/lib/metadata';
import { requireSystemTool } from '../../support/system-tools';
import { fixture, FIXTURES_DIR, pseudoRandomBytes } from '../metadata/helpers';

const MAX_PIXELS = 40_000_000;
const convert = (bytes: Uint8Array, options: { maxPixels?: number; maxSide?: number; maxBytes?: number } = {}) =>
  convertToJpeg(bytes, parseImageMetadata(bytes).format as ConvertibleFormat, { maxPixels: MAX_PIXELS, ...options });

/** A copy whose primary item's ispe claims another size: what the limits read, while the coded picture stays. */
function withIspe(bytes: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf('ispe', 0, 'latin1');
  expect(at).to.be.above(0);
  // After the box type: version and flags, then width and height.
  copy.writeUInt32BE(width, at + 8);
  copy.writeUInt32BE(height, at + 12);
  return copy;
}

async function rgba(image: Uint8Array | string, size?: { width: number; height: number }) {
  const pipeline = sharp(image).flatten({ background: '#ffffff' });
  const resized = size ? pipeline.resize(size.width, size.height, { fit: 'fill' }) : pipeline;
  return resized.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
}

async function similarity(rendition: Rendition, reference: string): Promise<number> {
  const ours = await rgba(rendition.body);
  const theirs = await rgba(reference, { width: rendition.width, height: rendition.height });
  const image = (data: Buffer) => ({
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    width: rendition.width,
    height: rendition.height,
  });
  return ssim(image(ours.data), image(theirs.data)).mssim;
}

/** The reference decode: Debian's vips (libheif with libde265 and dav1d, libwebp), without sharp's VIPSHOME. */
function vips(operation: 'copy' | 'autorot', input: string, output: string): void {
  const run = spawnSync('vips', [operation, input, output], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (run.status !== 0) throw new Error(`vips ${operation} ${input} failed: ${run.stderr}`);
}

describe('convertToJpeg', function () {
  this.timeout(120_000);

  describe('against vips, the reference decoder', () => {
    let workDir = '';
    before(function () {
      requireSystemTool(this, spawnSync('vips', ['--version']).status === 0, 'vips', 'libvips-tools');
      workDir = mkdtempSync(join(tmpdir(), 'convert-'));
    });
    after(() => rmSync(workDir, { recursive: true, force: true }));

    const cases: [string, 'copy' | 'autorot', number, number][] = [
      ['oiio_iphone7_small.heic', 'copy', 512, 300],
      ['generated_nikon-p6000_gps.heic', 'copy', 640, 480],
      ['generated_nikon-p6000_gps.avif', 'copy', 640, 480],
      ['generated_nikon-p6000_gps.webp', 'copy', 640, 480],
      ['metadata-extractor_htc-desire_gps.webp', 'copy', 776, 909],
      // Stored 320x240 with EXIF Orientation 6: shown (and converted) as a 240x320 portrait, as vips autorot turns it.
      ['metadata-extractor_iphone-x_orient6_gps.webp', 'autorot', 240, 320],
      ['generated_coffee_alpha-lossless.webp', 'copy', 300, 200],
      ['generated_coffee_alpha-lossy.webp', 'copy', 300, 200],
    ];
    for (const [name, operation, width, height] of cases) {
      it(`${name}: ${width}x${height} as displayed, the same picture as vips ${operation}`, async () => {
        const rendition = await convert(fixture(name));
        expect(rendition).to.include({ width, height, format: 'JPEG', contentType: 'image/jpeg' });
        expect(parseImageMetadata(rendition.body)).to.deep.equal({ format: 'JPEG', width, height });
        const reference = join(workDir, `${name}.png`);
        vips(operation, join(FIXTURES_DIR, name), reference);
        expect(await similarity(rendition, reference)).to.be.above(0.97);
      });
    }
  });

  it('lays transparent pixels over white and keeps opaque ones', async () => {
    for (const name of ['generated_coffee_alpha-lossless.webp', 'generated_coffee_alpha-lossy.webp']) {
      const { data, info } = await rgba((await convert(fixture(name))).body);
      const column = (x: number) =>
        Array.from({ length: info.height }, (_, y) =>
          data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 3),
        );
      // The alpha ramp is 0 at the left edge: white there; 255 at the right edge: the coffee's own colours, not white.
      expect(
        column(0).every((pixel) => pixel.every((value) => value >= 245)),
        `${name} left edge`,
      ).to.equal(true);
      expect(
        column(info.width - 1).some((pixel) => pixel.some((value) => value < 200)),
        `${name} right edge`,
      ).to.equal(true);
    }
  });

  it('shrinks to maxSide by area averaging, streaming rows (the same picture as sharp shrinking it)', async () => {
    const rendition = await convert(fixture('generated_nikon-p6000_gps.webp'), { maxSide: 320 });
    expect(rendition).to.include({ width: 320, height: 240 });
    const reference = await sharp(fixture('generated_nikon-p6000_gps.webp')).resize(320, 240).png().toBuffer();
    const ours = await rgba(rendition.body);
    const theirs = await rgba(reference);
    const image = (data: Buffer) => ({ data: new Uint8ClampedArray(data), width: 320, height: 240 });
    expect(ssim(image(ours.data), image(theirs.data)).mssim).to.be.above(0.97);
  });

  it('steps the quality down when a rendition exceeds maxBytes, and gives up with CorruptImage below that', async () => {
    const full = await convert(fixture('generated_nikon-p6000_gps.webp'));
    const smaller = await convert(fixture('generated_nikon-p6000_gps.webp'), { maxBytes: full.body.length - 1 });
    expect(smaller.body.length).to.be.below(full.body.length);
    try {
      await convert(fixture('generated_nikon-p6000_gps.webp'), { maxBytes: 1000 });
      expect.fail('a 1000-byte limit cannot be met');
    } catch (error) {
      expect(error).to.be.instanceOf(CorruptImage);
      expect((error as Error).message).to.match(/fits in 1000 bytes/);
    }
  });

  it('refuses from the header, before decoding, pictures over maxPixels (even when their data is cut off)', async () => {
    for (const name of [
      'oiio_iphone7_small.heic',
      'generated_nikon-p6000_gps.avif',
      'generated_nikon-p6000_gps.webp',
    ]) {
      const bytes = fixture(name);
      const { width, height } = parseImageMetadata(bytes);
      // Cut so that the container's header survives but decoding would fail: the size check must come first.
      const headerOnly = bytes.subarray(0, Math.min(bytes.length - 1, 4096));
      for (const input of [bytes, headerOnly]) {
        const error = await convert(input, { maxPixels: width! * height! - 1 }).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error, name).to.be.instanceOf(ImageTooLarge);
      }
    }
  });

  it('gives AVIF pixel limits of its own by sample depth and alpha (libavif needs 25-50 bytes a pixel)', async () => {
    const picture = sharp(join(FIXTURES_DIR, 'skimage_coffee.png')).resize(64, 48);
    const cases: [string, sharp.AvifOptions, boolean, number][] = [
      ['8-bit', {}, false, avifMaxPixels(8, false)],
      ['10-bit', { bitdepth: 10 }, false, avifMaxPixels(10, false)],
      ['8-bit with alpha', {}, true, avifMaxPixels(8, true)],
      ['10-bit with alpha', { bitdepth: 10 }, true, avifMaxPixels(10, true)],
    ];
    expect(cases.map(([, , , limit]) => limit)).to.deep.equal([28_000_000, 20_000_000, 18_000_000, 14_000_000]);
    for (const [name, options, alpha, limit] of cases) {
      const bytes = await (alpha ? picture.clone().ensureAlpha(0.5) : picture.clone()).avif(options).toBuffer();
      expect((await convert(bytes)).width, name).to.equal(64);
      // The header claims one row more than the limit allows: refused before anything is decoded.
      const error = await convert(withIspe(bytes, 8000, Math.floor(limit / 8000) + 1)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, name).to.be.instanceOf(ImageTooLarge);
      expect((error as ImageTooLarge).maxPixels, name).to.equal(limit);
    }
    // The function's own limit still applies below AVIF's.
    const plain = await picture.clone().avif().toBuffer();
    const capped = await convert(withIspe(plain, 8000, 1000), { maxPixels: 7_999_999 }).catch(
      (thrown: unknown) => thrown,
    );
    expect((capped as ImageTooLarge).maxPixels).to.equal(7_999_999);
  });

  it('refuses an animated WebP with NotSupportedImageType', async () => {
    const bytes = new Uint8Array(fixture('generated_coffee_alpha-lossy.webp'));
    bytes[20] = bytes[20]! | 0x02; // the VP8X animation flag, without any frames
    const error = await convert(bytes).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(NotSupportedImageType);
  });

  it('gives CorruptImage for files cut short, at any point', async () => {
    for (const name of [
      'oiio_iphone7_small.heic',
      'generated_nikon-p6000_gps.avif',
      'generated_nikon-p6000_gps.webp',
    ]) {
      const bytes = fixture(name);
      for (const keep of [0.05, 0.3, 0.6, 0.95]) {
        const error = await convert(bytes.subarray(0, Math.round(bytes.length * keep))).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error, `${name} cut at ${keep}`).to.be.instanceOf(CorruptImage);
      }
    }
  });

  it('never crashes on damaged data: each decode ends with a JPEG or CorruptImage, and the decoders keep working', async () => {
    for (const name of [
      'oiio_iphone7_small.heic',
      'generated_nikon-p6000_gps.avif',
      'generated_nikon-p6000_gps.webp',
    ]) {
      const bytes = fixture(name);
      for (let seed = 1; seed <= 6; seed += 1) {
        const damaged = new Uint8Array(bytes);
        // Overwrite a run of the compressed data (past the headers) with noise.
        const noise = pseudoRandomBytes(64, seed);
        damaged.set(noise, Math.floor(bytes.length * (0.3 + seed / 10)) - 64);
        const outcome = await convert(damaged).then(
          (rendition) => rendition,
          (thrown: unknown) => thrown,
        );
        if (outcome instanceof Error) expect(outcome, `${name} seed ${seed}`).to.be.instanceOf(CorruptImage);
        else expect((outcome as Rendition).body[0], `${name} seed ${seed}`).to.equal(0xff);
      }
      expect((await convert(bytes)).format, `${name} after the damaged ones`).to.equal('JPEG');
    }
  });

  it('gives CorruptImage for a HEIF or WebP header with nothing that sizes the picture', async () => {
    const heif = fixture('generated_nikon-p6000_gps.heic').subarray(0, 40);
    const webp = Uint8Array.from(Buffer.from('RIFF\x10\x00\x00\x00WEBPJUNK\x04\x00\x00\x00abcd', 'latin1'));
    for (const [format, bytes] of [
      ['HEIC', heif],
      ['WEBP', webp],
    ] as const) {
      const error = await convertToJpeg(bytes, format, { maxPixels: MAX_PIXELS }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, format).to.be.instanceOf(CorruptImage);
    }
  });

  it('reads a fixture the way the handler does (a plain Buffer from disk works as well as a Uint8Array)', async () => {
    const rendition = await convertToJpeg(readFileSync(join(FIXTURES_DIR, 'oiio_iphone7_small.heic')), 'HEIC', {
      maxPixels: MAX_PIXELS,
    });
    expect(rendition).to.include({ width: 512, height: 300 });
  });
});
