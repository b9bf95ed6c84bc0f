import { expect } from 'chai';
import { deflateSync } from 'node:zlib';
import { parseImageMetadata, readImageMetadata } from '../../../functions/lib/metadata';
import { ascii, concat, countingReader, exifTiff, ihdr, PNG_SIGNATURE, pngChunk, TAG, xmpPacket } from './helpers';

const png = (...chunks: Uint8Array[]) =>
  concat(PNG_SIGNATURE, ihdr(300, 200), ...chunks, pngChunk('IEND', new Uint8Array(0)));
const idat = (size: number) => pngChunk('IDAT', new Uint8Array(size));
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const deflate = (bytes: Uint8Array) => new Uint8Array(deflateSync(bytes));

const CAMERA_XMP = xmpPacket('<tiff:Make>Leica Camera AG</tiff:Make><tiff:Model>LEICA Q2</tiff:Model>');
const CAMERA_TIFF = exifTiff({ ifd0: { [TAG.Make]: { ascii: 'Canon' }, [TAG.Orientation]: { short: [8] } } });

/** ImageMagick's hex "raw profile": a name line, the byte count, then hex digits in lines of 72. */
function rawProfile(name: string, bytes: Uint8Array): Uint8Array {
  const hex = Buffer.from(bytes).toString('hex').replace(/(.{72})/g, '$1\n');
  return ascii(`\n${name}\n${String(bytes.length).padStart(8)}\n${hex}\n`);
}

describe('PNG metadata chunks', () => {
  it('reads XMP from an uncompressed and from a compressed iTXt chunk', () => {
    const plain = concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP));
    const compressed = concat(ascii('XML:com.adobe.xmp\0\x01\0\0\0'), deflate(utf8(CAMERA_XMP)));
    for (const data of [plain, compressed]) {
      expect(parseImageMetadata(png(pngChunk('iTXt', data))).exif).to.deep.equal({ make: 'Leica Camera AG', model: 'LEICA Q2' });
    }
  });

  it('reads ImageMagick raw EXIF and XMP profiles from zTXt and tEXt chunks', () => {
    const exifProfile = concat(ascii('Raw profile type exif\0\0'), deflate(rawProfile('exif', concat(ascii('Exif\0\0'), CAMERA_TIFF))));
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

  it('finds eXIf and XMP after the image data, reading chunk headers rather than IDAT', async () => {
    const bytes = png(
      ...Array.from({ length: 20 }, () => idat(32 * 1024)),
      pngChunk('eXIf', CAMERA_TIFF),
      pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), utf8(CAMERA_XMP))),
    );
    const { read } = countingReader(bytes);
    const { parsed, bytesRead } = await readImageMetadata(read, bytes.length);
    expect(parsed).to.deep.equal(parseImageMetadata(bytes));
    expect(parsed.exif).to.deep.equal({ make: 'Canon', model: 'LEICA Q2' });
    expect(bytesRead).to.be.below(64 * 1024 + 20 * 8 + CAMERA_TIFF.length + CAMERA_XMP.length + 200);
  });

  it('reads only the keyword of text chunks that carry no metadata', async () => {
    const comment = pngChunk('iTXt', concat(ascii('Comment\0\0\0\0\0'), new Uint8Array(500_000).fill(0x41)));
    const bytes = png(idat(70 * 1024), comment, idat(1000));
    const { read } = countingReader(bytes);
    const { parsed, bytesRead } = await readImageMetadata(read, bytes.length);
    expect(parsed).to.deep.equal({ format: 'PNG', width: 300, height: 200 });
    expect(bytesRead).to.be.below(64 * 1024 + 200);
  });

  it('skips metadata that does not decode or inflates past 1 MiB, without throwing', () => {
    const bomb = concat(ascii('XML:com.adobe.xmp\0\x01\0\0\0'), deflate(new Uint8Array(3 * 1024 * 1024).fill(0x20)));
    const broken = concat(ascii('Raw profile type exif\0\0'), ascii('not deflate data'));
    const badHex = concat(ascii('Raw profile type exif\0'), ascii('\nexif\n      20\nzz not hex\n'));
    expect(parseImageMetadata(png(pngChunk('iTXt', bomb), pngChunk('zTXt', broken), pngChunk('tEXt', badHex)))).to.deep.equal({
      format: 'PNG',
      width: 300,
      height: 200,
    });
  });
});
