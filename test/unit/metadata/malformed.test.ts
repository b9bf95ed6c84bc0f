import { expect } from 'chai';
import { CorruptImage } from '../../../functions/lib/errors';
import type { ParsedImageMetadata } from '../../../functions/lib/image-metadata';
import { parseImageMetadata, readImageMetadata } from '../../../functions/lib/metadata';
import {
  ascii,
  concat,
  countingReader,
  exifSegment,
  fixture,
  ihdr,
  jpegSegment,
  jpegWith,
  PNG_SIGNATURE,
  pngChunk,
  pseudoRandomBytes,
  startOfFrame,
} from './helpers';

/** Both entry points must agree: the pure parse of the whole buffer and the ranged read of it. */
async function parseBothWays(bytes: Uint8Array): Promise<ParsedImageMetadata> {
  const parsed = parseImageMetadata(bytes);
  const { parsed: read } = await readImageMetadata(countingReader(bytes).read, bytes.length);
  expect(read).to.deep.equal(parsed);
  return parsed;
}

async function expectCorruptBothWays(bytes: Uint8Array, message: RegExp): Promise<void> {
  expect(() => parseImageMetadata(bytes)).to.throw(CorruptImage, message);
  const error = await readImageMetadata(countingReader(bytes).read, bytes.length).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).to.be.instanceOf(CorruptImage);
  expect((error as Error).name).to.equal('CorruptImage');
  expect((error as Error).message).to.match(message);
}

const png = (...chunks: Uint8Array[]) => concat(PNG_SIGNATURE, ...chunks, pngChunk('IEND', new Uint8Array(0)));

describe('malformed input', () => {
  it('zero bytes are UNKNOWN and nothing is read', async () => {
    expect(parseImageMetadata(new Uint8Array(0))).to.deep.equal({ format: 'UNKNOWN' });
    const { read, calls } = countingReader(new Uint8Array(0));
    expect(await readImageMetadata(read, 0)).to.deep.equal({
      parsed: { format: 'UNKNOWN' },
      bytesRead: 0,
      requests: 0,
    });
    expect(calls).to.deep.equal([]);
  });

  it('a truncated JPEG (first 300 bytes of a photo) is CorruptImage', async () => {
    await expectCorruptBothWays(fixture('nikon-p6000_landscape_gps.jpg').subarray(0, 300), /JPEG is truncated/);
  });

  it('text named .jpg is UNKNOWN', async () => {
    expect(await parseBothWays(ascii('This is a shopping list, saved as holiday.jpg\nmilk\neggs\n'))).to.deep.equal({
      format: 'UNKNOWN',
    });
  });

  it('random bytes are UNKNOWN', async () => {
    expect(await parseBothWays(pseudoRandomBytes(200_000, 7))).to.deep.equal({ format: 'UNKNOWN' });
  });

  it('a JPEG segment with length 0 is CorruptImage, not a loop', async () => {
    const bytes = concat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00), startOfFrame(640, 480));
    await expectCorruptBothWays(bytes, /invalid length 0/);
  });

  it('a JPEG segment whose length points past the end is CorruptImage', async () => {
    const bytes = concat(Uint8Array.of(0xff, 0xd8), jpegSegment(0xe1, ascii('Exif\0\0')).subarray(0, 4), ascii('Exif'));
    bytes[4] = 0xff; // APP1 claims 65 KB
    await expectCorruptBothWays(
      bytes,
      /JPEG is truncated before its frame header \(SOF\), so its dimensions are unknown: segment 0xE1 at byte 2 declares 65288 bytes, but the file ends before byte 65292$/,
    );
  });

  it('a JPEG that reaches its scan data without a frame header is CorruptImage', async () => {
    const bytes = concat(Uint8Array.of(0xff, 0xd8), jpegSegment(0xda, new Uint8Array(10)), pseudoRandomBytes(100, 3));
    await expectCorruptBothWays(bytes, /without a frame header/);
  });

  it('a JPEG frame header of 0x0 pixels is CorruptImage', async () => {
    await expectCorruptBothWays(jpegWith([], 0, 0), /declares 0x0 pixels/);
  });

  it('a JPEG with a garbage EXIF block keeps its dimensions and has no EXIF', async () => {
    const bytes = jpegWith([exifSegment(pseudoRandomBytes(2000, 11))], 320, 200);
    expect(await parseBothWays(bytes)).to.deep.equal({ format: 'JPEG', width: 320, height: 200 });
    const tiffWithLoopingIfd = concat(
      ascii('II*\0'),
      Uint8Array.of(8, 0, 0, 0, 1, 0, 0x0f, 1, 2, 0, 4, 0, 0, 0),
      ascii('abc\0'),
      Uint8Array.of(8, 0, 0, 0),
    );
    expect((await parseBothWays(jpegWith([exifSegment(tiffWithLoopingIfd)], 320, 200))).width).to.equal(320);
  });

  it('fill bytes and standalone markers before the frame are skipped', async () => {
    const bytes = concat(Uint8Array.of(0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0), startOfFrame(64, 48, 0xc2));
    expect(await parseBothWays(bytes)).to.deep.equal({ format: 'JPEG', width: 64, height: 48 });
  });

  it('a PNG chunk whose length points past the end ends the walk; IHDR still gives the dimensions', async () => {
    const bytes = concat(PNG_SIGNATURE, ihdr(640, 480), pngChunk('tEXt', ascii('Comment\0hi'), 0x7ffffff0));
    expect(await parseBothWays(bytes)).to.deep.equal({ format: 'PNG', width: 640, height: 480 });
  });

  it('a PNG whose IHDR is cut short or missing is CorruptImage', async () => {
    await expectCorruptBothWays(concat(PNG_SIGNATURE, ihdr(640, 480)).subarray(0, 20), /PNG is truncated/);
    await expectCorruptBothWays(png(pngChunk('tEXt', ascii('a\0b'))), /IHDR/);
    await expectCorruptBothWays(png(ihdr(0, 480)), /declares 0x480 pixels/);
  });

  it('a PNG of many empty chunks is walked quickly and to the end', async () => {
    const empty = pngChunk('abCd', new Uint8Array(0));
    const bytes = png(ihdr(10, 10), ...Array.from({ length: 50_000 }, () => empty));
    const started = Date.now();
    expect(await parseBothWays(bytes)).to.deep.equal({ format: 'PNG', width: 10, height: 10 });
    expect(Date.now() - started).to.be.below(5000);
  });

  it('a fake header claiming 100000x100000 pixels parses: refusing it is the thumbnail step’s job', async () => {
    expect(await parseBothWays(png(ihdr(100_000, 100_000)))).to.deep.equal({
      format: 'PNG',
      width: 100_000,
      height: 100_000,
    });
    // A JPEG frame header holds 16-bit sizes, so 65535 is the largest claim it can make.
    expect(await parseBothWays(jpegWith([], 65_535, 65_535))).to.deep.equal({
      format: 'JPEG',
      width: 65_535,
      height: 65_535,
    });
  });

  it('random bytes behind a JPEG or PNG signature give dimensions or CorruptImage, quickly', async () => {
    const started = Date.now();
    for (let seed = 1; seed <= 300; seed += 1) {
      for (const magic of [Uint8Array.of(0xff, 0xd8, 0xff), concat(PNG_SIGNATURE, ihdr(8, 8).subarray(0, 8))]) {
        const bytes = concat(magic, pseudoRandomBytes(4000, seed));
        try {
          const parsed = await parseBothWays(bytes);
          expect(parsed.format).to.be.oneOf(['JPEG', 'PNG']);
        } catch (error) {
          expect(error, `seed ${seed}`).to.be.instanceOf(CorruptImage);
        }
      }
    }
    expect(Date.now() - started).to.be.below(5000);
  });
});
