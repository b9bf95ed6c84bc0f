import { expect } from 'chai';
import type { ImageFormat } from '../../../functions/lib/image-metadata';
import { detectImageFormat, parseImageMetadata } from '../../../functions/lib/metadata';
import { ascii, concat, fixture, PNG_SIGNATURE, pseudoRandomBytes } from './helpers';

const ftyp = (major: string, ...compatible: string[]): Uint8Array => {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.length, 0);
  box.write(`ftyp${major}\0\0\0\0${compatible.join('')}`, 4, 'latin1');
  return concat(new Uint8Array(box), new Uint8Array(16));
};

const bmpHeader = (infoSize: number): Uint8Array => {
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(infoSize, 14);
  return new Uint8Array(header);
};

describe('detectImageFormat', () => {
  const cases: [string, Uint8Array, ImageFormat][] = [
    ['JPEG (FF D8 FF)', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16), 'JPEG'],
    ['PNG signature', concat(PNG_SIGNATURE, new Uint8Array(8)), 'PNG'],
    ['GIF87a', ascii('GIF87a\x01\x00\x01\x00'), 'GIF'],
    ['GIF89a', ascii('GIF89a\x01\x00\x01\x00'), 'GIF'],
    ['WEBP (RIFF....WEBP)', ascii('RIFF\x24\x00\x00\x00WEBPVP8 '), 'WEBP'],
    ['HEIC (ftyp heic)', ftyp('heic', 'mif1', 'heic'), 'HEIC'],
    ['HEIC (ftyp heix)', ftyp('heix', 'mif1'), 'HEIC'],
    ['HEIF (ftyp mif1, HEVC brands)', ftyp('mif1', 'mif1', 'heic'), 'HEIC'],
    ['HEIF (ftyp msf1)', ftyp('msf1', 'msf1', 'hevc'), 'HEIC'],
    ['AVIF (ftyp avif)', ftyp('avif', 'mif1', 'miaf'), 'AVIF'],
    ['AVIF sequence (ftyp avis)', ftyp('avis', 'msf1'), 'AVIF'],
    ['AVIF (ftyp mif1 with an avif brand)', ftyp('mif1', 'mif1', 'avif', 'miaf'), 'AVIF'],
    ['TIFF little-endian (II*)', Uint8Array.of(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0), 'TIFF'],
    ['TIFF big-endian (MM*)', Uint8Array.of(0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8), 'TIFF'],
    ['BigTIFF (II+)', Uint8Array.of(0x49, 0x49, 0x2b, 0, 8, 0, 0, 0), 'TIFF'],
    ['BMP (BITMAPINFOHEADER)', bmpHeader(40), 'BMP'],
    ['BMP (OS/2 core header)', bmpHeader(12), 'BMP'],
    ['PDF', ascii('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), 'PDF'],
    ['SVG', ascii('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'SVG'],
    ['SVG after XML prolog', ascii('<?xml version="1.0" encoding="UTF-8"?>\n<svg>'), 'SVG'],
    [
      'SVG after BOM, prolog, comments and doctype',
      concat(
        Uint8Array.of(0xef, 0xbb, 0xbf),
        ascii(
          '  <?xml version="1.0"?>\n<!-- Generator: Inkscape -->\n' +
            '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n' +
            '  <!ENTITY ns "http://www.w3.org/2000/svg">\n]>\n<!-- another > comment -->\r\n\t<svg\nviewBox="0 0 1 1"></svg>',
        ),
      ),
      'SVG',
    ],
    ['SVG in UTF-16LE with BOM', new Uint8Array(Buffer.from('\uFEFF<svg></svg>', 'utf16le')), 'SVG'],
    ['zero bytes', new Uint8Array(0), 'UNKNOWN'],
    ['plain text', ascii('hello, this is not an image\n'), 'UNKNOWN'],
    ['HTML', ascii('<!DOCTYPE html><html><body><svg></svg></body></html>'), 'UNKNOWN'],
    ['XML that is not SVG', ascii('<?xml version="1.0"?><svgfoo/>'), 'UNKNOWN'],
    ['an unclosed comment', ascii('<!-- <svg>'), 'UNKNOWN'],
    ['"BM" text without a bitmap header', ascii('BMW owners club minutes, page 1 of 3'), 'UNKNOWN'],
    ['an MP4 video (ftyp isom)', ftyp('isom', 'isom', 'mp41'), 'UNKNOWN'],
    ['a truncated JPEG magic (FF D8)', Uint8Array.of(0xff, 0xd8), 'UNKNOWN'],
    ['a truncated PNG signature', PNG_SIGNATURE.subarray(0, 6), 'UNKNOWN'],
  ];

  for (const [name, head, expected] of cases) {
    it(`${name} is ${expected}`, () => {
      expect(detectImageFormat(head)).to.equal(expected);
    });
  }

  it('recognises every fixture photo from its bytes', () => {
    expect(detectImageFormat(fixture('iphone6_wisteria_8mp_gps.jpg'))).to.equal('JPEG');
    expect(detectImageFormat(fixture('skimage_coffee.png'))).to.equal('PNG');
    expect(detectImageFormat(fixture('generated_chelsea-cat.gif'))).to.equal('GIF');
  });

  it('calls random bytes UNKNOWN', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      expect(detectImageFormat(pseudoRandomBytes(4096, seed)), `seed ${seed}`).to.equal('UNKNOWN');
    }
  });
});

describe('dimensions of the formats that are not processed', () => {
  it('reads a GIF logical screen', () => {
    expect(parseImageMetadata(fixture('generated_chelsea-cat.gif'))).to.deep.equal({
      format: 'GIF',
      width: 451,
      height: 300,
    });
  });

  it('reads lossy, lossless and extended WEBP headers', () => {
    const riff = (chunk: string, body: number[]) =>
      concat(ascii(`RIFF\0\0\0\0WEBP${chunk}\0\0\0\0`), Uint8Array.of(...body));
    // VP8: frame tag (3 bytes), start code 9D 01 2A, 14-bit width and height.
    expect(parseImageMetadata(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x20, 0x03, 0x58, 0x02]))).to.deep.equal({
      format: 'WEBP',
      width: 800,
      height: 600,
    });
    // VP8L: signature 0x2F, then (width - 1) and (height - 1) in 14 bits each: 400 x 300.
    const bits = 399 | (299 << 14);
    expect(
      parseImageMetadata(riff('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >>> 24])),
    ).to.deep.equal({ format: 'WEBP', width: 400, height: 300 });
    // VP8X: flags and reserved (4 bytes), then 24-bit canvas width - 1 and height - 1: 4000 x 3000.
    expect(parseImageMetadata(riff('VP8X', [0, 0, 0, 0, 0x9f, 0x0f, 0, 0xb7, 0x0b, 0]))).to.deep.equal({
      format: 'WEBP',
      width: 4000,
      height: 3000,
    });
  });

  it('reads a BMP header, top-down bitmaps included', () => {
    const header = Buffer.from(bmpHeader(40));
    header.writeInt32LE(320, 18);
    header.writeInt32LE(-240, 22);
    expect(parseImageMetadata(new Uint8Array(header))).to.deep.equal({ format: 'BMP', width: 320, height: 240 });
  });

  it('gives only the format when a header is too short or unparsed, and never throws', () => {
    expect(parseImageMetadata(ascii('GIF89a\x01'))).to.deep.equal({ format: 'GIF' });
    expect(parseImageMetadata(ascii('RIFF\0\0\0\0WEBPVP8 '))).to.deep.equal({ format: 'WEBP' });
    expect(parseImageMetadata(ftyp('heic', 'mif1'))).to.deep.equal({ format: 'HEIC' });
    expect(parseImageMetadata(ascii('%PDF-1.4'))).to.deep.equal({ format: 'PDF' });
    expect(parseImageMetadata(ascii('<svg/>'))).to.deep.equal({ format: 'SVG' });
    expect(parseImageMetadata(Uint8Array.of(0x49, 0x49, 0x2a, 0, 0xff, 0xff, 0, 0))).to.deep.equal({ format: 'TIFF' });
  });
});
