import { expect } from 'chai';
import { deflateSync } from 'node:zlib';
import { parseImageMetadata, readImageMetadata } from '../../../functions/lib/metadata';
import { metadataChunksIn } from '../../../functions/lib/metadata/png-tail';
import { ascii, concat, countingReader, exifTiff, ihdr, PNG_SIGNATURE, pngChunk, TAG, xmpPacket } from './helpers';

const KiB = 1024;

const png = (...chunks: Uint8Array[]) =>
  concat(PNG_SIGNATURE, ihdr(300, 200), ...chunks, pngChunk('IEND', new Uint8Array(0)));
const idat = (size: number) => pngChunk('IDAT', new Uint8Array(size));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const deflate = (bytes: Uint8Array) => new Uint8Array(deflateSync(bytes));

/** Ranged reads must parse as the whole buffer does. */
async function readBoth(bytes: Uint8Array) {
  const { read, calls } = countingReader(bytes);
  const result = await readImageMetadata(read, bytes.length);
  expect(result.parsed).to.deep.equal(parseImageMetadata(bytes));
  expect(result.requests).to.equal(calls.length);
  return result;
}

const CAMERA_XMP = xmpPacket('<tiff:Make>Leica Camera AG</tiff:Make><tiff:Model>LEICA Q2</tiff:Model>');
const CAMERA_TIFF = exifTiff({ ifd0: { [TAG.Make]: { ascii: 'Canon' }, [TAG.Orientation]: { short: [8] } } });

/** ImageMagick's hex "raw profile": a name line, the byte count, then hex digits in lines of 72. */
function rawProfile(name: string, bytes: Uint8Array): Uint8Array {
  const hex = Buffer.from(bytes)
    .toString('hex')
    .replace(/(.{72})/g, '$1\n');
  return ascii(`\n${name}\n${String(bytes.length).padStart(8)}\n${hex}\n`);
}

describe('PNG metadata chunks', () => {
  it('reads XMP from an uncompressed and from a compressed iTXt chunk', () => {
    const plain = concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP));
    const compressed = concat(ascii('XML:com.adobe.xmp\0\x01\0\0\0'), deflate(utf8(CAMERA_XMP)));
    for (const data of [plain, compressed]) {
      expect(parseImageMetadata(png(pngChunk('iTXt', data))).exif).to.deep.equal({
        make: 'Leica Camera AG',
        model: 'LEICA Q2',
      });
    }
  });

  it('reads ImageMagick raw EXIF and XMP profiles from zTXt and tEXt chunks', () => {
    const exifProfile = concat(
      ascii('Raw profile type exif\0\0'),
      deflate(rawProfile('exif', concat(ascii('Exif\0\0'), CAMERA_TIFF))),
    );
    expect(parseImageMetadata(png(pngChunk('zTXt', exifProfile)))).to.deep.equal({
      format: 'PNG',
      width: 200,
      height: 300,
      orientation: 8,
      exif: { make: 'Canon' },
    });
    const xmpProfile = concat(ascii('Raw profile type xmp\0'), rawProfile('generic profile', utf8(CAMERA_XMP)));
    expect(parseImageMetadata(png(pngChunk('tEXt', xmpProfile))).exif).to.deep.equal({
      make: 'Leica Camera AG',
      model: 'LEICA Q2',
    });
  });

  it('finds eXIf and XMP after the image data in the last 64 KiB, without reading IDAT', async () => {
    const bytes = png(
      ...Array.from({ length: 20 }, () => idat(32 * 1024)),
      pngChunk('eXIf', CAMERA_TIFF),
      pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP))),
    );
    const { parsed, bytesRead, requests } = await readBoth(bytes);
    expect(parsed.exif).to.deep.equal({ make: 'Canon', model: 'LEICA Q2' });
    expect(requests).to.equal(2);
    expect(bytesRead).to.equal(128 * KiB);
  });

  it('reads only the keyword of a large text chunk that carries no metadata', async () => {
    const comment = pngChunk('iTXt', concat(ascii('Comment\0\0\0\0\0'), new Uint8Array(500_000).fill(0x41)));
    const before = png(comment, idat(1000));
    const early = await readBoth(before);
    expect(early.parsed).to.deep.equal({ format: 'PNG', width: 300, height: 200 });
    expect(early.requests).to.equal(2);
    expect(early.bytesRead).to.be.below(64 * KiB + 1100);
    const after = await readBoth(png(idat(70 * KiB), comment, idat(1000)));
    expect(after.bytesRead).to.equal(128 * KiB);
  });

  it('ignores a chunk in the tail that spells eXIf but whose CRC does not match', async () => {
    const exif = pngChunk('eXIf', CAMERA_TIFF);
    const wrongCrc = exif.slice();
    wrongCrc[wrongCrc.length - 1]! ^= 0x01;
    const imageData = Array.from({ length: 10 }, () => idat(16 * KiB));
    expect((await readBoth(png(...imageData, wrongCrc))).parsed).to.deep.equal({
      format: 'PNG',
      width: 300,
      height: 200,
    });
    expect((await readBoth(png(...imageData, exif))).parsed.exif).to.deep.equal({ make: 'Canon' });
  });

  it('finds the tail metadata when bytes follow IEND', async () => {
    const bytes = concat(
      png(...Array.from({ length: 10 }, () => idat(16 * KiB)), pngChunk('eXIf', CAMERA_TIFF)),
      new Uint8Array(500),
    );
    expect((await readBoth(bytes)).parsed.exif).to.deep.equal({ make: 'Canon' });
  });

  it('prefers the eXIf before IDAT to one after it, as exiftool does', async () => {
    const late = pngChunk('eXIf', exifTiff({ ifd0: { [TAG.Make]: { ascii: 'Late' } } }));
    const imageData = Array.from({ length: 10 }, () => idat(16 * KiB));
    expect((await readBoth(png(pngChunk('eXIf', CAMERA_TIFF), ...imageData, late))).parsed.exif).to.deep.equal({
      make: 'Canon',
    });
    expect((await readBoth(png(...imageData, late))).parsed.exif).to.deep.equal({ make: 'Late' });
  });

  it('takes XMP before IDAT and EXIF after it from the same file', async () => {
    const xmp = pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP)));
    const bytes = png(xmp, ...Array.from({ length: 10 }, () => idat(16 * KiB)), pngChunk('eXIf', CAMERA_TIFF));
    const { parsed, requests } = await readBoth(bytes);
    expect(parsed).to.include({ orientation: 8 });
    expect(parsed.exif).to.deep.equal({ make: 'Canon', model: 'LEICA Q2' });
    expect(requests).to.equal(2);
  });

  it('chunks before IDAT that run past the first window cost one more read, and no tail read once both blocks are found', async () => {
    const profile = pngChunk('iCCP', concat(ascii('big profile\0\0'), new Uint8Array(100 * KiB)));
    const xmp = pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP)));
    const bytes = png(profile, pngChunk('eXIf', CAMERA_TIFF), xmp, ...Array.from({ length: 20 }, () => idat(32 * KiB)));
    const { parsed, requests, bytesRead } = await readBoth(bytes);
    expect(parsed.exif).to.deep.equal({ make: 'Canon', model: 'LEICA Q2' });
    expect(requests).to.equal(2);
    expect(bytesRead).to.be.at.most(64 * KiB + 128 * KiB + 8);
  });

  it('an XMP chunk of 300 KB that straddles the first window is completed by one read', async () => {
    const bigXmp = xmpPacket(
      `<tiff:Make>Leica Camera AG</tiff:Make><tiff:Software>${'x'.repeat(300 * 1000)}</tiff:Software>`,
    );
    const bytes = png(pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(bigXmp))), idat(1000));
    const { parsed, requests } = await readBoth(bytes);
    expect(parsed.exif).to.deep.equal({ make: 'Leica Camera AG' });
    expect(requests).to.equal(2);
  });

  it('checks the CRC of at most 64 look-alike chunks in the tail', () => {
    const fake = (at: number) =>
      pngChunk('tEXt', ascii(`fake ${at}`)).map((byte, i, all) => (i === all.length - 1 ? byte ^ 1 : byte));
    const real = pngChunk('eXIf', CAMERA_TIFF);
    const tail = (fakes: number) =>
      concat(...Array.from({ length: fakes }, (_, i) => fake(i)), real, pngChunk('IEND', new Uint8Array(0)));
    expect(metadataChunksIn(tail(63)).map((chunk) => chunk.type)).to.deep.equal(['eXIf']);
    expect(metadataChunksIn(tail(64))).to.deep.equal([]);
  });

  it('skips metadata that does not decode or inflates past 1 MiB, without throwing', () => {
    const bomb = concat(ascii('XML:com.adobe.xmp\0\x01\0\0\0'), deflate(new Uint8Array(3 * 1024 * 1024).fill(0x20)));
    const broken = concat(ascii('Raw profile type exif\0\0'), ascii('not deflate data'));
    const badHex = concat(ascii('Raw profile type exif\0'), ascii('\nexif\n      20\nzz not hex\n'));
    expect(
      parseImageMetadata(png(pngChunk('iTXt', bomb), pngChunk('zTXt', broken), pngChunk('tEXt', badHex))),
    ).to.deep.equal({
      format: 'PNG',
      width: 300,
      height: 200,
    });
  });
});
