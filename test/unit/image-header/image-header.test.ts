import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { u16be, u32be } from '../../../functions/lib/image-header/bytes';
import { isStandalone, isStartOfFrame, readFrameHeader } from '../../../functions/lib/image-header/jpeg';
import { hasPngSignature, IHDR_END, readChunkHeader, readIhdr } from '../../../functions/lib/image-header/png';
import { parseImageMetadata } from '../../../functions/lib/metadata';
import { readImageHeader } from '../../../functions/lib/thumbnail/header';
import { FIXTURE_IMAGES, fixtureImage } from '../../support/fixtures';

/** The one JPEG/PNG header reader (functions/lib/image-header/), which the metadata and thumbnail steps share. */
describe('image-header', () => {
  it('reads big-endian integers, unsigned, and throws RangeError outside the bytes', () => {
    const bytes = Uint8Array.of(0xff, 0xfe, 0x01, 0x02, 0x03);
    expect(u16be(bytes, 0)).to.equal(0xfffe);
    expect(u32be(bytes, 0)).to.equal(0xfffe0102);
    expect(u32be(bytes, 1)).to.equal(0xfe010203);
    expect(() => u16be(bytes, 4)).to.throw(RangeError);
    expect(() => u32be(bytes, 2)).to.throw(RangeError);
    expect(() => u32be(bytes, -1)).to.throw(RangeError);
  });

  it('knows the frame markers: SOF0..SOF15 without DHT (C4), JPG (C8) and DAC (CC)', () => {
    const markers = Array.from({ length: 256 }, (_, marker) => marker);
    expect(markers.filter(isStartOfFrame)).to.deep.equal([
      0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
    ]);
    expect(markers.filter(isStandalone)).to.deep.equal([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);
  });

  it('reads a frame header from its marker, components only when the bytes hold them', () => {
    const sof = Uint8Array.of(0xff, 0xc2, 0x00, 0x11, 8, 0x01, 0xe0, 0x02, 0x80, 3);
    expect(readFrameHeader(sof, 0)).to.deep.equal({ precision: 8, height: 480, width: 640, components: 3 });
    expect(readFrameHeader(sof.subarray(0, 9), 0)).to.deep.include({ width: 640, components: 0 });
  });

  it('reads IHDR and chunk headers, and refuses what is not a 13-byte IHDR after the signature', () => {
    const png = fixtureImage('skimage_coffee.png');
    expect(hasPngSignature(png)).to.equal(true);
    expect(readChunkHeader(png, 8)).to.deep.equal({ length: 13, type: 'IHDR' });
    expect(readIhdr(png)).to.deep.equal({ width: 600, height: 400, bitDepth: 8, colourType: 2, methods: [0, 0, 0] });
    expect(readIhdr(png.subarray(0, IHDR_END - 1))).to.equal(undefined);
    const renamed = png.slice(0, IHDR_END);
    renamed[12] = 'X'.charCodeAt(0);
    expect(readIhdr(renamed)).to.equal(undefined);
    expect(hasPngSignature(fixtureImage('nikon-e950_field-gun.jpg'))).to.equal(false);
  });

  it('gives both steps the same stored size for every JPEG and PNG fixture', () => {
    const photos = readdirSync(FIXTURE_IMAGES).filter((name) => /\.(jpe?g|png)$/i.test(name));
    expect(photos.length).to.be.at.least(10);
    for (const name of photos) {
      const bytes = fixtureImage(name);
      const metadata = parseImageMetadata(bytes);
      const format = metadata.format as 'JPEG' | 'PNG';
      const header = readImageHeader(bytes, format);
      const turned = (metadata.orientation ?? 1) >= 5;
      const stored = turned ? { width: metadata.height, height: metadata.width } : metadata;
      expect({ width: stored.width, height: stored.height }, name).to.deep.equal({
        width: header.width,
        height: header.height,
      });
    }
  });
});
