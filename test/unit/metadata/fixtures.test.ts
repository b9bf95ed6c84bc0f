import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedImageMetadata } from '../../../functions/lib/image-metadata';
import { parseImageMetadata } from '../../../functions/lib/metadata';
import {
  pngWithExifAfterIdat,
  smallTiff,
  twelveMegapixelJpeg,
  twelveMegapixelPngWithExifAfterIdat,
} from './generated-fixtures';
import { fixture, FIXTURES_DIR } from './helpers';
import { requireSystemTool } from '../../support/system-tools';

const PHOTOS = readdirSync(FIXTURES_DIR).filter((name) => /\.(jpe?g|png|gif|webp|tiff?|heic|avif|bmp)$/i.test(name));
const GENERATED: Record<string, () => Uint8Array | Promise<Uint8Array>> = {
  'nikon-p6000_exif-after-idat.png': pngWithExifAfterIdat,
  'iphone6_12mp.jpg': twelveMegapixelJpeg,
  'nikon-p6000_12mp_exif-after-idat.png': twelveMegapixelPngWithExifAfterIdat,
  'canon-sx60_orient6.tif': smallTiff,
};
const EXIFTOOL_FOUND = spawnSync('exiftool', ['-ver']).status === 0;

/** What exiftool says about a file, with -n: numbers as numbers, GPS signed by its Ref tags. */
interface ExiftoolFacts {
  SourceFile: string;
  FileType?: string;
  ImageWidth?: number;
  ImageHeight?: number;
  Orientation?: number;
  Make?: string;
  Model?: string;
  DateTimeOriginal?: string;
  GPSLatitude?: number;
  GPSLongitude?: number;
  GPSAltitude?: number;
  /** HEIF's irot, in degrees anticlockwise (exiftool's QuickTime:Rotation). */
  Rotation?: number;
}

/** EXIF:Orientation, not XMP's: only EXIF turns the picture in viewers and in the thumbnail step. */
const EXIFTOOL_TAGS = [
  'FileType',
  'ImageWidth',
  'ImageHeight',
  'EXIF:Orientation',
  'Make',
  'Model',
  'DateTimeOriginal',
  'GPSLatitude',
  'GPSLongitude',
  'GPSAltitude',
  'Rotation',
];

function exiftool(paths: string[]): Map<string, ExiftoolFacts> {
  const json = execFileSync('exiftool', ['-json', '-n', ...EXIFTOOL_TAGS.map((tag) => `-${tag}`), ...paths], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Map((JSON.parse(json) as ExiftoolFacts[]).map((facts) => [facts.SourceFile, facts]));
}

const text = (value: unknown): string | undefined =>
  value === undefined ? undefined : String(value).replace(/\0/g, '').trim() || undefined;

/** HEIF viewers turn the picture by irot and ignore EXIF's Orientation; our orientation is what irot amounts to. */
const HEIF_ROTATION_ORIENTATION: Record<number, number> = { 90: 8, 180: 3, 270: 6 };

/**
 * exiftool names a WebP with a VP8X chunk "Extended WEBP", and a HEIF whose major brand is mif1 "HEIF" whatever its
 * codec, where we name it by its compatible brands (HEIC, AVIF) as the decoders need.
 */
function sameFormat(ours: string, theirs: string | undefined): boolean {
  if (theirs === 'Extended WEBP') return ours === 'WEBP';
  if (theirs === 'HEIF') return ['HEIC', 'AVIF', 'HEIF'].includes(ours);
  return ours === theirs;
}

function expectAgreement(ours: ParsedImageMetadata, theirs: ExiftoolFacts): void {
  const heif = ['HEIC', 'HEIF', 'AVIF'].includes(ours.format);
  const orientation = heif ? HEIF_ROTATION_ORIENTATION[theirs.Rotation ?? 0] : theirs.Orientation;
  const turned = (orientation ?? 1) >= 5;
  expect(sameFormat(ours.format, theirs.FileType), `format ${ours.format}, exiftool ${theirs.FileType}`).to.equal(true);
  expect(ours.width, 'displayed width').to.equal(turned ? theirs.ImageHeight : theirs.ImageWidth);
  expect(ours.height, 'displayed height').to.equal(turned ? theirs.ImageWidth : theirs.ImageHeight);
  expect(ours.orientation, 'orientation').to.equal(orientation);
  expect(ours.exif?.make, 'make').to.equal(text(theirs.Make));
  expect(ours.exif?.model, 'model').to.equal(text(theirs.Model));
  if (theirs.DateTimeOriginal !== undefined) {
    const [date = '', time = ''] = theirs.DateTimeOriginal.split(' ');
    expect(ours.exif?.takenAt?.slice(0, 19), 'DateTimeOriginal').to.equal(`${date.replace(/:/g, '-')}T${time}`);
  }
  if (theirs.GPSLatitude === undefined) {
    expect(ours.gps, 'gps').to.equal(undefined);
  } else {
    expect(ours.gps?.latitude, 'latitude').to.be.closeTo(theirs.GPSLatitude, 1e-6);
    expect(ours.gps?.longitude, 'longitude').to.be.closeTo(theirs.GPSLongitude!, 1e-6);
    if (theirs.GPSAltitude === undefined) expect(ours.gps?.altitude, 'altitude').to.equal(undefined);
    else expect(ours.gps?.altitude, 'altitude').to.be.closeTo(theirs.GPSAltitude, 1e-6);
  }
}

describe('fixture photos agree with exiftool', function () {
  this.timeout(60_000);
  let workDir = '';
  let facts = new Map<string, ExiftoolFacts>();

  before(async function () {
    requireSystemTool(this, EXIFTOOL_FOUND, 'exiftool', 'libimage-exiftool-perl');
    workDir = mkdtempSync(join(tmpdir(), 'metadata-fixtures-'));
    for (const [name, make] of Object.entries(GENERATED)) writeFileSync(join(workDir, name), await make());
    facts = exiftool([
      ...PHOTOS.map((name) => join(FIXTURES_DIR, name)),
      ...Object.keys(GENERATED).map((name) => join(workDir, name)),
    ]);
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const name of PHOTOS) {
    it(name, () => {
      const path = join(FIXTURES_DIR, name);
      expectAgreement(parseImageMetadata(readFileSync(path)), facts.get(path)!);
    });
  }
  for (const name of Object.keys(GENERATED)) {
    it(`${name} (generated at test time)`, () => {
      const path = join(workDir, name);
      expectAgreement(parseImageMetadata(readFileSync(path)), facts.get(path)!);
    });
  }
});

describe('fixture photos: ground truth from the fixtures README', () => {
  it('iPhone 6: GPS with altitude, camera, capture time', () => {
    const parsed = parseImageMetadata(fixture('iphone6_wisteria_8mp_gps.jpg'));
    expect(parsed).to.include({ format: 'JPEG', width: 3264, height: 2448, orientation: 1 });
    expect(parsed.exif).to.deep.include({ make: 'Apple', model: 'iPhone 6', takenAt: '2015-04-10T20:12:23' });
    expect(parsed.exif).to.deep.include({ lensModel: 'iPhone 6 back camera 4.15mm f/2.2', fNumber: 2.2, iso: 32 });
    expect(parsed.exif?.exposureTime).to.be.closeTo(1 / 40, 1e-12);
    expect(parsed.exif?.focalLength).to.be.closeTo(4.15, 1e-12);
    expect(parsed.gps?.latitude).to.be.closeTo(40.4469722222222, 1e-6);
    expect(parsed.gps?.longitude).to.be.closeTo(-3.72475277777778, 1e-6);
    expect(parsed.gps?.altitude).to.be.closeTo(639.6111111, 1e-6);
  });

  it('Nikon P6000, as JPEG and as PNG with eXIf before or after IDAT: GPS, camera, capture time', () => {
    const files: [string, Uint8Array][] = [
      ['jpeg', fixture('nikon-p6000_landscape_gps.jpg')],
      ['png', fixture('generated_nikon-p6000_gps.png')],
      ['png, eXIf after IDAT', pngWithExifAfterIdat()],
    ];
    for (const [label, bytes] of files) {
      const parsed = parseImageMetadata(bytes);
      expect(parsed, label).to.include({ width: 640, height: 480 });
      expect(parsed.exif, label).to.deep.include({
        make: 'NIKON',
        model: 'COOLPIX P6000',
        takenAt: '2008-10-22T16:28:39',
      });
      expect(parsed.gps?.latitude, label).to.be.closeTo(43.4674483333333, 1e-6);
      expect(parsed.gps?.longitude, label).to.be.closeTo(11.8851266666639, 1e-6);
      expect(parsed.gps, label).to.not.have.property('altitude');
    }
  });

  it('orientation 6 and 8 photos report their displayed size', () => {
    expect(parseImageMetadata(fixture('unsplash_landscape_orient6.jpg'))).to.deep.equal({
      format: 'JPEG',
      width: 1800,
      height: 1200,
      orientation: 6,
    });
    expect(parseImageMetadata(fixture('unsplash_portrait_orient8.jpg'))).to.deep.equal({
      format: 'JPEG',
      width: 1200,
      height: 1800,
      orientation: 8,
    });
    expect(parseImageMetadata(fixture('canon-sx60_chandelier_orient6.jpg'))).to.include({
      width: 1536,
      height: 2048,
      orientation: 6,
    });
  });

  it('the chelsea cat PNG keeps its camera only in XMP, and it is found (its XMP orientation does not count)', () => {
    expect(parseImageMetadata(fixture('skimage_chelsea-cat.png'))).to.deep.equal({
      format: 'PNG',
      width: 451,
      height: 300,
      exif: {
        make: 'PENTAX Corporation',
        model: 'PENTAX K100D Super',
        // photoshop:DateCreated is XMP's counterpart of DateTimeOriginal; xmp:CreateDate (11:11:30) comes after it.
        takenAt: '2009-02-09T09:11:30',
        exposureTime: 1 / 6,
        fNumber: 8,
        iso: 800,
        focalLength: 55,
      },
    });
  });

  it('files without metadata give format and size only', () => {
    expect(parseImageMetadata(fixture('skimage_coffee.png'))).to.deep.equal({ format: 'PNG', width: 600, height: 400 });
    expect(parseImageMetadata(fixture('skimage_astronaut.png'))).to.deep.equal({
      format: 'PNG',
      width: 512,
      height: 512,
    });
    expect(parseImageMetadata(fixture('generated_chelsea-cat.gif'))).to.deep.equal({
      format: 'GIF',
      width: 451,
      height: 300,
    });
  });

  it('every fixture gives a small result with only the documented fields', () => {
    const exifFields = ['make', 'model', 'takenAt', 'lensModel', 'exposureTime', 'fNumber', 'iso', 'focalLength'];
    for (const name of PHOTOS) {
      const parsed = parseImageMetadata(fixture(name));
      expect(Object.keys(parsed), name).to.satisfy((keys: string[]) =>
        keys.every((key) => ['format', 'width', 'height', 'orientation', 'exif', 'gps'].includes(key)),
      );
      expect(Object.keys(parsed.exif ?? {}), name).to.satisfy((keys: string[]) =>
        keys.every((key) => exifFields.includes(key)),
      );
      expect(JSON.stringify(parsed).length, name).to.be.below(1024);
    }
  });
});
