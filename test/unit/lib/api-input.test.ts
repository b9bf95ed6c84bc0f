import { expect } from 'chai';
import { BadRequest, PayloadTooLarge } from '../../../functions/lib/api-errors';
import { albumId, albumName, imageId, pageSize, uploadRequest } from '../../../functions/lib/api-input';
import { imageIdFor } from '../../../functions/lib/upload-key';

describe('API input validation', () => {
  it('album names: trimmed, 1 to 100 characters (not bytes), no control characters', () => {
    expect(albumName('  Holidays  ')).to.equal('Holidays');
    expect(albumName('é'.repeat(100))).to.have.lengthOf(100);
    for (const bad of [undefined, 3, '', '   ', 'a'.repeat(101), 'tab\there', 'line\nbreak']) {
      expect(() => albumName(bad), JSON.stringify(bad)).to.throw(BadRequest, /"name"/);
    }
  });

  it('album ids: any key segment (folder albums), never a path', () => {
    expect(albumId('holidays')).to.equal('holidays');
    expect(albumId('été 2026')).to.equal('été 2026');
    for (const bad of [undefined, '', '.', '..', 'a/b', 'nul\u0000', 'x'.repeat(256)]) {
      expect(() => albumId(bad), JSON.stringify(bad)).to.throw(BadRequest, /"albumId"/);
    }
  });

  it('photo ids: what imageIdFor makes', () => {
    const id = imageIdFor('private/u/uploads/a.jpg');
    expect(imageId(id)).to.equal(id);
    for (const bad of [undefined, '', id.slice(1), `${id}x`, `${id.slice(1)}/`, '../../etc/passwd']) {
      expect(() => imageId(bad), JSON.stringify(bad)).to.throw(BadRequest, /"imageId"/);
    }
  });

  it('page sizes: 1 to 100, 50 by default', () => {
    expect(pageSize(undefined)).to.equal(50);
    expect(pageSize('1')).to.equal(1);
    expect(pageSize('100')).to.equal(100);
    for (const bad of ['0', '101', '-1', '1.5', '', ' 5', '5,10', '1e2', '0x10']) {
      expect(() => pageSize(bad), bad).to.throw(BadRequest, /"limit"/);
    }
  });

  describe('uploadRequest', () => {
    const valid = { fileName: 'photo 1+2.jpg', contentType: 'image/jpeg', size: 1000 };

    it('accepts a file name, an image content type, a size and an optional album', () => {
      expect(uploadRequest(valid, 5000)).to.deep.equal(valid);
      expect(uploadRequest({ ...valid, albumId: 'holidays' }, 5000)).to.deep.equal({ ...valid, albumId: 'holidays' });
      expect(uploadRequest({ ...valid, size: 5000 }, 5000).size).to.equal(5000);
    });

    it('refuses folders, control characters and empty names in the file name', () => {
      for (const fileName of ['', '  ', 'a/b.jpg', 'a\\b.jpg', '.', '..', 'x\u0007.jpg', 7, 'x'.repeat(256)]) {
        expect(() => uploadRequest({ ...valid, fileName }, 5000), JSON.stringify(fileName)).to.throw(
          BadRequest,
          /"fileName"/,
        );
      }
    });

    it('refuses content types that are not images', () => {
      for (const contentType of ['text/html', 'image/', 'image', 'application/octet-stream', 'image/svg+xml;x', 3]) {
        expect(() => uploadRequest({ ...valid, contentType }, 5000), String(contentType)).to.throw(
          BadRequest,
          /"contentType"/,
        );
      }
    });

    it('refuses sizes that are not whole positive numbers (400), and sizes over the limit (413)', () => {
      for (const size of [0, -1, 1.5, '1000', null, Number.MAX_SAFE_INTEGER + 2]) {
        expect(() => uploadRequest({ ...valid, size }, 5000), String(size)).to.throw(BadRequest, /"size"/);
      }
      expect(() => uploadRequest({ ...valid, size: 5001 }, 5000)).to.throw(PayloadTooLarge, /at most 5000 bytes/);
    });

    it('refuses an album id that is not a key segment', () => {
      expect(() => uploadRequest({ ...valid, albumId: 'a/b' }, 5000)).to.throw(BadRequest, /"albumId"/);
    });
  });
});
