import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { CorruptImage } from '../../../functions/lib/errors';
import { parseImageMetadata, readImageMetadata, type ReadRange } from '../../../functions/lib/metadata';
import {
  pngWithExifAfterIdat,
  smallTiff,
  twelveMegapixelJpeg,
  twelveMegapixelPngWithExifAfterIdat,
} from './generated-fixtures';
import { concat, countingReader, fixture, FIXTURES_DIR, jpegSegment } from './helpers';

const KiB = 1024;

/** On S3 each request costs 10-30 ms, more than the bytes it brings: both are bounded. */
async function readCounting(object: Uint8Array) {
  const { read, calls } = countingReader(object);
  const result = await readImageMetadata(read, object.length);
  const fetched = calls.reduce((sum, [start, end]) => sum + Math.min(end, object.length) - start, 0);
  expect(result.bytesRead, 'bytesRead is what the reads returned').to.equal(fetched);
  expect(result.requests, 'requests counts the reads').to.equal(calls.length);
  expect(result.parsed, 'ranged reads parse as the whole buffer does').to.deep.equal(parseImageMetadata(object));
  return { ...result, calls };
}

/** APP11 segments of zeros: stand-ins for the ICC profiles and previews some cameras put before the frame. */
const padding = (count: number, size = 65_533) =>
  Array.from({ length: count }, () => jpegSegment(0xeb, new Uint8Array(size)));

const PHOTOS = readdirSync(FIXTURES_DIR).filter((name) => !name.endsWith('.md'));

describe('readImageMetadata reads little, in few requests', function () {
  this.timeout(60_000);

  for (const name of PHOTOS) {
    it(`${name}: at most 3 requests and 256 KiB`, async () => {
      const { requests, bytesRead } = await readCounting(fixture(name));
      expect(requests).to.be.at.most(3);
      expect(bytesRead).to.be.at.most(256 * KiB);
    });
  }

  it('a 12 MP JPEG is handled in one request of 64 KiB', async () => {
    const { parsed, bytesRead, calls } = await readCounting(await twelveMegapixelJpeg());
    expect(parsed).to.include({ format: 'JPEG', width: 4032, height: 3024 });
    expect(parsed.gps?.latitude).to.be.closeTo(40.4469722222222, 1e-6);
    expect(calls).to.deep.equal([[0, 64 * KiB]]);
    expect(bytesRead).to.equal(64 * KiB);
  });

  it('the 8 MP iPhone photo is read in one 64 KiB request', async () => {
    const { bytesRead, calls } = await readCounting(fixture('iphone6_wisteria_8mp_gps.jpg'));
    expect(calls).to.deep.equal([[0, 64 * KiB]]);
    expect(bytesRead).to.equal(64 * KiB);
  });

  it('a frame header 330 KiB in is reached in windows that double, not one request per segment', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const firstSegmentEnd = 4 + ((photo[4]! << 8) | photo[5]!);
    const jpeg = concat(photo.subarray(0, firstSegmentEnd), ...padding(5), photo.subarray(firstSegmentEnd));
    const { parsed, bytesRead, calls } = await readCounting(jpeg);
    expect(parsed).to.include({ width: 3264, height: 2448 });
    expect(parsed.exif?.model).to.equal('iPhone 6');
    expect(calls.map(([start, end]) => end - start)).to.deep.equal([64 * KiB, 128 * KiB, 256 * KiB]);
    expect(bytesRead).to.equal(448 * KiB);
  });

  it('a frame header 1.6 MB in takes 5 requests, not one per segment', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const jpeg = concat(photo.subarray(0, 2), ...padding(25), photo.subarray(2));
    const { parsed, requests, bytesRead } = await readCounting(jpeg);
    expect(parsed).to.include({ width: 3264, height: 2448 });
    expect(requests).to.equal(5);
    expect(bytesRead).to.equal((64 + 128 + 256 + 512 + 1024) * KiB);
  });

  it('an EXIF segment that straddles the first window is completed by the next read', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const jpeg = concat(photo.subarray(0, 2), ...padding(1, 60 * KiB), photo.subarray(2));
    const { parsed, bytesRead, requests } = await readCounting(jpeg);
    expect(parsed.gps?.altitude).to.be.closeTo(639.6111111, 1e-6);
    expect(requests).to.equal(2);
    expect(bytesRead).to.be.at.most(64 * KiB + 128 * KiB);
  });

  it('a JPEG whose segments before the frame exceed 16 MiB is CorruptImage after a bounded number of requests', async () => {
    const photo = fixture('nikon-p6000_landscape_gps.jpg');
    const jpeg = concat(photo.subarray(0, 2), ...padding(260), photo.subarray(2));
    const { read, calls } = countingReader(jpeg);
    const error = await readImageMetadata(read, jpeg.length).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(CorruptImage);
    expect((error as Error).message).to.match(/more than 16 MiB before its frame header/);
    expect(calls.length).to.be.at.most(10);
  });

  it('a PNG with eXIf after IDAT is found in the last 64 KiB: two requests', async () => {
    const { parsed, bytesRead, calls } = await readCounting(pngWithExifAfterIdat());
    expect(parsed.gps?.latitude).to.be.closeTo(43.4674483333333, 1e-6);
    expect(calls).to.have.length(2);
    expect(bytesRead).to.equal(128 * KiB);
  });

  it('a 12 MP PNG of 2,000 IDAT chunks with eXIf after them: two requests, 128 KiB', async () => {
    const png = await twelveMegapixelPngWithExifAfterIdat();
    const { parsed, bytesRead, requests } = await readCounting(png);
    expect(parsed).to.include({ format: 'PNG', width: 4032, height: 3024 });
    expect(parsed.exif).to.include({ make: 'NIKON', model: 'COOLPIX P6000' });
    expect(parsed.gps?.latitude).to.be.closeTo(43.4674483333333, 1e-6);
    expect(requests).to.be.at.most(3);
    expect(bytesRead).to.be.at.most(256 * KiB);
  });

  for (const name of ['skimage_astronaut.png', 'skimage_chelsea-cat.png', 'skimage_coffee.png']) {
    it(`${name} costs its first and last 64 KiB, whatever its number of chunks`, async () => {
      const { calls } = await readCounting(fixture(name));
      const size = fixture(name).length;
      expect(calls).to.deep.equal([
        [0, 64 * KiB],
        [size - 64 * KiB, size],
      ]);
    });
  }

  it('a PNG with EXIF and XMP before IDAT is read in one request', async () => {
    const { calls } = await readCounting(fixture('generated_nikon-p6000_gps.png'));
    expect(calls).to.deep.equal([[0, 64 * KiB]]);
  });

  it('formats that are not processed cost one read of the first window at most', async () => {
    const { calls, bytesRead } = await readCounting(fixture('generated_chelsea-cat.gif'));
    expect(calls).to.have.length(1);
    expect(bytesRead).to.equal(64 * KiB);
    const tiny = await readCounting(fixture('exifreader-fixture_iptc_tiny.jpg'));
    expect(tiny.calls).to.deep.equal([[0, 8125]]);
    expect((await readCounting(await smallTiff())).calls).to.have.length(1);
  });

  it('an object shorter than its HEAD said is a truncated JPEG: CorruptImage', async () => {
    const photo = fixture('nikon-p6000_landscape_gps.jpg');
    const shrunk: ReadRange = async (start, end) => photo.slice(start, Math.min(end, 300));
    const error = await readImageMetadata(shrunk, photo.length).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(CorruptImage);
  });
});
