import { expect } from 'chai';
import { CorruptImage } from '../../../functions/lib/errors';
import { parseImageMetadata, readImageMetadata, type ReadRange } from '../../../functions/lib/metadata';
import { pngWithExifAfterIdat, twelveMegapixelJpeg } from './generated-fixtures';
import { concat, countingReader, fixture, jpegSegment, pngChunks } from './helpers';

const KiB = 1024;

async function readCounting(object: Uint8Array) {
  const { read, calls } = countingReader(object);
  const result = await readImageMetadata(read, object.length);
  const fetched = calls.reduce((sum, [start, end]) => sum + Math.min(end, object.length) - start, 0);
  expect(result.bytesRead, 'bytesRead is what the reads returned').to.equal(fetched);
  expect(result.parsed, 'ranged reads parse as the whole buffer does').to.deep.equal(parseImageMetadata(object));
  return { ...result, calls };
}

/** APP11 segments of zeros: stand-ins for the ICC profiles and previews some cameras put before the frame. */
const padding = (count: number, size = 65_533) =>
  Array.from({ length: count }, () => jpegSegment(0xeb, new Uint8Array(size)));

describe('readImageMetadata reads only what the format needs', function () {
  this.timeout(30_000);

  it('a 12 MP JPEG is handled reading at most 256 KiB', async () => {
    const jpeg = await twelveMegapixelJpeg();
    const { parsed, bytesRead } = await readCounting(jpeg);
    expect(parsed).to.include({ format: 'JPEG', width: 4032, height: 3024 });
    expect(parsed.gps?.latitude).to.be.closeTo(40.4469722222222, 1e-6);
    expect(bytesRead).to.be.at.most(256 * KiB);
  });

  it('the 8 MP iPhone photo is read in one 64 KiB request', async () => {
    const { bytesRead, calls } = await readCounting(fixture('iphone6_wisteria_8mp_gps.jpg'));
    expect(calls).to.deep.equal([[0, 64 * KiB]]);
    expect(bytesRead).to.equal(64 * KiB);
  });

  it('a frame header beyond the first window costs only the segment headers on the way', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const firstSegmentEnd = 4 + ((photo[4]! << 8) | photo[5]!);
    const jpeg = concat(photo.subarray(0, firstSegmentEnd), ...padding(5), photo.subarray(firstSegmentEnd));
    const { parsed, bytesRead, calls } = await readCounting(jpeg);
    expect(parsed).to.include({ width: 3264, height: 2448 });
    expect(parsed.exif?.model).to.equal('iPhone 6');
    expect(calls.length).to.be.at.most(12);
    expect(bytesRead).to.be.at.most(64 * KiB + 10 * 9);
  });

  it('an EXIF segment that straddles the first window is completed with one read of the rest', async () => {
    const photo = fixture('iphone6_wisteria_8mp_gps.jpg');
    const jpeg = concat(photo.subarray(0, 2), ...padding(1, 60 * KiB), photo.subarray(2));
    const { parsed, bytesRead } = await readCounting(jpeg);
    expect(parsed.gps?.altitude).to.be.closeTo(639.6111111, 1e-6);
    expect(bytesRead).to.be.below(64 * KiB + 20 * KiB);
  });

  it('a PNG with eXIf after IDAT is found by walking chunk headers, not by reading the image data', async () => {
    const png = pngWithExifAfterIdat();
    const { parsed, bytesRead, calls } = await readCounting(png);
    expect(parsed.gps?.latitude).to.be.closeTo(43.4674483333333, 1e-6);
    const chunks = pngChunks(png);
    const exifBytes = chunks.find((chunk) => chunk.type === 'eXIf')!.bytes.length;
    expect(bytesRead).to.be.at.most(64 * KiB + 8 * chunks.length + exifBytes);
    expect(calls.length).to.be.at.most(chunks.length + 2);
    expect(bytesRead).to.be.below(png.length / 4);
  });

  for (const name of ['skimage_astronaut.png', 'skimage_chelsea-cat.png', 'skimage_coffee.png', 'generated_nikon-p6000_gps.png']) {
    it(`${name} reads its first window plus 8 bytes per chunk header after it`, async () => {
      const png = fixture(name);
      const { bytesRead } = await readCounting(png);
      const chunksAfterWindow = pngChunks(png).filter((chunk) => chunk.bytes.byteOffset - png.byteOffset >= 64 * KiB);
      expect(bytesRead).to.be.at.most(64 * KiB + 12 + 8 * chunksAfterWindow.length);
    });
  }

  it('formats that are not processed cost one read of the first window at most', async () => {
    const { calls, bytesRead } = await readCounting(fixture('generated_chelsea-cat.gif'));
    expect(calls).to.have.length(1);
    expect(bytesRead).to.equal(64 * KiB);
    const tiny = await readCounting(fixture('exifreader-fixture_iptc_tiny.jpg'));
    expect(tiny.calls).to.deep.equal([[0, 8125]]);
  });

  it('an object shorter than its HEAD said is a truncated JPEG: CorruptImage', async () => {
    const photo = fixture('nikon-p6000_landscape_gps.jpg');
    const shrunk: ReadRange = async (start, end) => photo.slice(start, Math.min(end, 300));
    const error = await readImageMetadata(shrunk, photo.length).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(CorruptImage);
  });
});
