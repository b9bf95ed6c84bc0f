import { expect } from 'chai';
import { parseImageMetadata } from '../../../functions/lib/metadata';
import { ascii, exifSegment, exifTiff, type Ifd, jpegSegment, jpegWith, TAG, xmpPacket, xmpSegment } from './helpers';

const jpegWithExif = (ifds: { ifd0?: Ifd; exif?: Ifd; gps?: Ifd }) =>
  jpegWith([exifSegment(exifTiff(ifds))], 4000, 3000);

const madrid: Ifd = {
  [TAG.GPSLatitudeRef]: { ascii: 'N' },
  [TAG.GPSLatitude]: {
    rational: [
      [40, 1],
      [26, 1],
      [4910, 100],
    ],
  },
  [TAG.GPSLongitudeRef]: { ascii: 'W' },
  [TAG.GPSLongitude]: {
    rational: [
      [3, 1],
      [43, 1],
      [2911, 100],
    ],
  },
};

describe('EXIF summary and GPS', () => {
  it('reads every camera fact the file has, and only those', () => {
    const parsed = parseImageMetadata(
      jpegWithExif({
        ifd0: { [TAG.Make]: { ascii: 'Canon' }, [TAG.Model]: { ascii: 'Canon EOS 5D Mark IV' } },
        exif: {
          [TAG.DateTimeOriginal]: { ascii: '2021:07:14 09:30:05' },
          [TAG.OffsetTimeOriginal]: { ascii: '+02:00' },
          [TAG.ExposureTime]: { rational: [[1, 125]] },
          [TAG.FNumber]: { rational: [[28, 10]] },
          [TAG.ISO]: { short: [400] },
          [TAG.FocalLength]: { rational: [[50, 1]] },
          [TAG.LensModel]: { ascii: 'EF50mm f/1.8 STM' },
          [TAG.MakerNote]: { byte: Array.from({ length: 3000 }, (_, i) => i & 0xff) },
        },
      }),
    );
    expect(parsed).to.deep.equal({
      format: 'JPEG',
      width: 4000,
      height: 3000,
      exif: {
        make: 'Canon',
        model: 'Canon EOS 5D Mark IV',
        takenAt: '2021-07-14T09:30:05+02:00',
        lensModel: 'EF50mm f/1.8 STM',
        exposureTime: 0.008,
        fNumber: 2.8,
        iso: 400,
        focalLength: 50,
      },
    });
  });

  it('signs south and west negative and altitude below sea level negative', () => {
    const south = parseImageMetadata(
      jpegWithExif({
        gps: {
          [TAG.GPSLatitudeRef]: { ascii: 'S' },
          [TAG.GPSLatitude]: {
            rational: [
              [33, 1],
              [51, 1],
              [3600, 100],
            ],
          },
          [TAG.GPSLongitudeRef]: { ascii: 'E' },
          [TAG.GPSLongitude]: {
            rational: [
              [151, 1],
              [12, 1],
              [0, 1],
            ],
          },
          [TAG.GPSAltitudeRef]: { byte: [1] },
          [TAG.GPSAltitude]: { rational: [[4305, 10]] },
        },
      }),
    );
    expect(south.gps).to.deep.equal({ latitude: -(33 + 51 / 60 + 36 / 3600), longitude: 151.2, altitude: -430.5 });
    expect(parseImageMetadata(jpegWithExif({ gps: madrid })).gps).to.deep.equal({
      latitude: 40 + 26 / 60 + 49.1 / 3600,
      longitude: -(3 + 43 / 60 + 29.11 / 3600),
    });
  });

  it('omits gps when the file has no position or an invalid one, keeping the other facts', () => {
    const invalid: Ifd[] = [
      {
        ...madrid,
        [TAG.GPSLatitude]: {
          rational: [
            [91, 1],
            [0, 1],
            [0, 1],
          ],
        },
      },
      {
        ...madrid,
        [TAG.GPSLongitude]: {
          rational: [
            [181, 1],
            [0, 1],
            [0, 1],
          ],
        },
      },
      {
        ...madrid,
        [TAG.GPSLatitude]: {
          rational: [
            [40, 1],
            [26, 1],
            [4910, 0],
          ],
        },
      },
      { [TAG.GPSLatitudeRef]: { ascii: 'N' }, [TAG.GPSLatitude]: madrid[TAG.GPSLatitude]! },
      { [TAG.GPSAltitude]: { rational: [[100, 1]] } },
    ];
    for (const gps of invalid) {
      const parsed = parseImageMetadata(jpegWithExif({ ifd0: { [TAG.Make]: { ascii: 'Apple' } }, gps }));
      expect(parsed, JSON.stringify(gps)).to.deep.equal({
        format: 'JPEG',
        width: 4000,
        height: 3000,
        exif: { make: 'Apple' },
      });
    }
  });

  it('drops an invalid altitude but keeps the position', () => {
    const gps = { ...madrid, [TAG.GPSAltitude]: { rational: [[100, 0]] as [number, number][] } };
    expect(parseImageMetadata(jpegWithExif({ gps })).gps).to.not.have.property('altitude');
  });

  it('falls back from DateTimeOriginal to CreateDate, then to DateTime, ignoring zeroed dates', () => {
    const takenAt = (exif: Ifd, ifd0: Ifd = {}) => parseImageMetadata(jpegWithExif({ ifd0, exif })).exif?.takenAt;
    expect(takenAt({ [TAG.DateTimeDigitized]: { ascii: '2020:01:02 03:04:05' } })).to.equal('2020-01-02T03:04:05');
    expect(
      takenAt({
        [TAG.DateTimeOriginal]: { ascii: '0000:00:00 00:00:00' },
        [TAG.DateTimeDigitized]: { ascii: '2020:01:02 03:04:05' },
      }),
    ).to.equal('2020-01-02T03:04:05');
    expect(takenAt({}, { [TAG.DateTime]: { ascii: '2019:12:31 23:59:59' } })).to.equal('2019-12-31T23:59:59');
    expect(takenAt({ [TAG.DateTimeOriginal]: { ascii: '    :  :     :  :  ' } })).to.equal(undefined);
    expect(
      takenAt({
        [TAG.DateTimeOriginal]: { ascii: '2021:07:14 09:30:05' },
        [TAG.OffsetTimeOriginal]: { ascii: '   :  ' },
      }),
    ).to.equal('2021-07-14T09:30:05');
  });

  it('cleans strings: no NULs or padding, at most 128 characters', () => {
    const parsed = parseImageMetadata(
      jpegWithExif({ ifd0: { [TAG.Make]: { ascii: '  NIKON\0\0\0  ' }, [TAG.Model]: { ascii: 'X'.repeat(5000) } } }),
    );
    expect(parsed.exif).to.deep.equal({ make: 'NIKON', model: 'X'.repeat(128) });
  });

  it('swaps width and height for orientations 5 to 8 and ignores values outside 1..8', () => {
    for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const parsed = parseImageMetadata(jpegWithExif({ ifd0: { [TAG.Orientation]: { short: [orientation] } } }));
      const turned = orientation >= 5;
      expect(parsed, `orientation ${orientation}`).to.deep.equal({
        format: 'JPEG',
        width: turned ? 3000 : 4000,
        height: turned ? 4000 : 3000,
        orientation,
      });
    }
    expect(parseImageMetadata(jpegWithExif({ ifd0: { [TAG.Orientation]: { short: [9] } } }))).to.deep.equal({
      format: 'JPEG',
      width: 4000,
      height: 3000,
    });
  });

  it('takes camera facts, dates and position from XMP when the file has no EXIF, but not its orientation', () => {
    const xmp = xmpPacket(
      '<tiff:Make>FUJIFILM</tiff:Make><tiff:Model>X-T3</tiff:Model><tiff:Orientation>6</tiff:Orientation>' +
        '<photoshop:DateCreated>2022-05-01T18:20:30.25+01:00</photoshop:DateCreated>' +
        '<xmp:CreateDate>2022-05-01T18:20:31</xmp:CreateDate>' +
        '<exif:ExposureTime>1/250</exif:ExposureTime><exif:FNumber>56/10</exif:FNumber>' +
        '<exif:ISOSpeedRatings><rdf:Seq><rdf:li>640</rdf:li></rdf:Seq></exif:ISOSpeedRatings>' +
        '<exif:GPSLatitude>51,30.0738N</exif:GPSLatitude><exif:GPSLongitude>0,7,34.2W</exif:GPSLongitude>' +
        '<exifEX:LensModel>XF16-55mmF2.8 R LM WR</exifEX:LensModel>',
    );
    const parsed = parseImageMetadata(jpegWith([xmpSegment(xmp)], 6240, 4160));
    expect(parsed).to.deep.equal({
      format: 'JPEG',
      width: 6240,
      height: 4160,
      exif: {
        make: 'FUJIFILM',
        model: 'X-T3',
        takenAt: '2022-05-01T18:20:30+01:00',
        lensModel: 'XF16-55mmF2.8 R LM WR',
        exposureTime: 0.004,
        fNumber: 5.6,
        iso: 640,
      },
      gps: { latitude: 51 + 30.0738 / 60, longitude: -(7 / 60 + 34.2 / 3600) },
    });
  });

  it('prefers EXIF over XMP for the same fact', () => {
    const bytes = jpegWith([
      exifSegment(exifTiff({ ifd0: { [TAG.Make]: { ascii: 'SONY' } } })),
      xmpSegment(xmpPacket('<tiff:Make>Edited by an app</tiff:Make><tiff:Model>ILCE-7M3</tiff:Model>')),
    ]);
    expect(parseImageMetadata(bytes).exif).to.deep.equal({ make: 'SONY', model: 'ILCE-7M3' });
  });

  it('never returns maker notes, thumbnails or other blobs', () => {
    const parsed = parseImageMetadata(
      jpegWith([
        jpegSegment(0xe0, ascii('JFIF\0\x01\x01\0\0\x01\0\x01\0\0')),
        exifSegment(
          exifTiff({
            ifd0: { [TAG.Make]: { ascii: 'Apple' } },
            exif: { [TAG.MakerNote]: { byte: new Array(20_000).fill(7) } },
          }),
        ),
      ]),
    );
    expect(parsed).to.deep.equal({ format: 'JPEG', width: 640, height: 480, exif: { make: 'Apple' } });
  });
});
