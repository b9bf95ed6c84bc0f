import { expect } from 'chai';
import type { Photo } from '../../web/src/api/types';
import { formatBytes, formatExposure, metadataRows, openStreetMapUrl } from '../../web/src/format';
import { hrefOf, parseRoute } from '../../web/src/route';
import { refusalOf, s3RefusalOf } from '../../web/src/upload/upload-rules';

describe('photo page formatting', () => {
  it('says sizes and exposures the way photographers write them', () => {
    expect([500, 2048, 1536 * 1024, 150 * 1024 * 1024].map(formatBytes)).to.deep.equal([
      '500 B',
      '2.0 KiB',
      '1.5 MiB',
      '150 MiB',
    ]);
    expect([0.008, 1 / 3, 2].map(formatExposure)).to.deep.equal(['1/125 s', '1/3 s', '2 s']);
  });

  it('lists only the metadata the photo has, in reading order', () => {
    const photo = {
      imageId: 'i',
      fileName: 'p.jpg',
      status: 'SUCCEEDED',
      uploadedAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      format: 'JPEG',
      width: 4000,
      height: 3000,
      sizeBytes: 2 * 1024 * 1024,
      exif: {
        make: 'NIKON',
        model: 'COOLPIX P6000',
        exposureTime: 0.004,
        fNumber: 4.5,
        iso: 64,
        takenAt: '2008-10-22T16:28:39',
      },
    } as Photo;
    const rows = metadataRows(photo);
    expect(rows.map(([name]) => name)).to.deep.equal([
      'Format',
      'Dimensions',
      'Size',
      'Camera',
      'Exposure',
      'Taken',
      'Uploaded',
    ]);
    expect(Object.fromEntries(rows)).to.include({
      Dimensions: '4000 × 3000',
      Size: '2.0 MiB',
      Camera: 'NIKON COOLPIX P6000',
      Exposure: '1/250 s, ƒ/4.5, ISO 64',
      Taken: '2008-10-22 16:28:39',
    });
  });

  it('names the camera once when the model repeats the maker, and rounds the focal length', () => {
    const base = { imageId: 'i', fileName: 'p.jpg', status: 'SUCCEEDED', uploadedAt: '', updatedAt: '' };
    const exif = {
      make: 'Canon',
      model: 'Canon DIGITAL IXUS',
      exposureTime: 1 / 350,
      fNumber: 4,
      focalLength: 10.8125,
    };
    const rows = Object.fromEntries(metadataRows({ ...base, exif } as Photo));
    expect(rows).to.include({ Camera: 'Canon DIGITAL IXUS', Exposure: '1/350 s, ƒ/4, 10.8 mm' });
  });

  it('links a position to OpenStreetMap', () => {
    expect(openStreetMapUrl({ latitude: 43.467157, longitude: 11.885395 })).to.equal(
      'https://www.openstreetmap.org/?mlat=43.46716&mlon=11.88540#map=15/43.46716/11.88540',
    );
  });
});

describe('web routes', () => {
  it('reads and writes the pages of the URL fragment, ids encoded', () => {
    expect(parseRoute('')).to.deep.equal({ page: 'albums' });
    expect(parseRoute('#/albums')).to.deep.equal({ page: 'albums' });
    expect(parseRoute('#/photos')).to.deep.equal({ page: 'photos' });
    expect(parseRoute('#/albums/a%20b')).to.deep.equal({ page: 'photos', albumId: 'a b' });
    expect(parseRoute('#/photos/x%2Fy')).to.deep.equal({ page: 'photo', imageId: 'x/y' });
    expect(parseRoute('#/photos/%E0%A4%A')).to.deep.equal({ page: 'not-found', hash: '#/photos/%E0%A4%A' });
    expect(parseRoute('#/elsewhere')).to.include({ page: 'not-found' });
    for (const route of [
      { page: 'photos', albumId: 'a/b c' },
      { page: 'photo', imageId: 'é+%' },
    ] as const)
      expect(parseRoute(hrefOf(route))).to.deep.equal(route);
  });
});

describe('upload checks', () => {
  it('refuses non-images, empty files and oversize files before sending, in words', () => {
    expect(refusalOf({ name: 'a.jpg', type: 'image/jpeg', size: 10 }, 100)).to.equal(undefined);
    expect(refusalOf({ name: 'notes.txt', type: 'text/plain', size: 10 }, 100)).to.equal(
      'notes.txt is not an image (text/plain): only images can be uploaded.',
    );
    expect(refusalOf({ name: 'x', type: '', size: 10 }, 100)).to.match(/x is not an image:/);
    expect(refusalOf({ name: 'e.png', type: 'image/png', size: 0 }, 100)).to.equal('e.png is empty.');
    expect(refusalOf({ name: 'big.jpg', type: 'image/jpeg', size: 60 * 1024 * 1024 }, 50 * 1024 * 1024)).to.equal(
      'big.jpg is 60.0 MiB, over the limit of 50.0 MiB.',
    );
    expect(refusalOf({ name: 'big.jpg', type: 'image/jpeg', size: 60 * 1024 * 1024 }, undefined)).to.equal(undefined);
  });

  it("says what S3's XML refusal of a presigned POST means", () => {
    const xml = (code: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`;
    expect(s3RefusalOf(400, xml('EntityTooLarge'))).to.equal(
      'Storage refused the file: the file is larger than the upload allows.',
    );
    expect(s3RefusalOf(403, xml('AccessDenied'))).to.match(/refused or has expired/);
    expect(s3RefusalOf(400, xml('SomethingNew'))).to.equal('Storage refused the file (SomethingNew: m).');
    expect(s3RefusalOf(502, '')).to.equal('Storage refused the file (HTTP 502).');
  });
});
