import { expect } from 'chai';
import { UploadNotFound } from '../../../functions/lib/errors';
import { extractUploadMetadata } from '../../../functions/lib/metadata';
import { MemoryObjects } from '../../support/fakes';
import { expectRejection } from '../../support/helpers';
import { fixture } from './helpers';

/** The ExtractImageMetadata step's core over a fake ObjectReader: no SDK. */
describe('extractUploadMetadata', () => {
  const upload = { bucket: 'photorepo', key: 'private/u/uploads/photo.jpg', eventTime: '2026-11-22T10:15:30Z' };
  let objects: MemoryObjects;
  beforeEach(() => {
    objects = new MemoryObjects();
  });

  it('heads the object, reads its head within its size, and adds size, upload time and bytes read', async () => {
    const photo = fixture('nikon-p6000_landscape_gps.jpg');
    objects.put(upload.key, photo);
    const metadata = await extractUploadMetadata(objects, upload);
    expect(metadata).to.include({
      format: 'JPEG',
      width: 640,
      height: 480,
      sizeBytes: photo.byteLength,
      uploadedAt: '2026-11-22T10:15:31.000Z',
      bytesRead: 65536,
    });
    expect(objects.calls).to.deep.equal([`head ${upload.key}`, `readRange ${upload.key} 0-65536`]);
  });

  it('never asks past the end of a small object, and falls back to the event time without a modification time', async () => {
    objects.put(upload.key, fixture('generated_chelsea-cat.gif').slice(0, 100));
    objects.lastModified = undefined;
    expect(await extractUploadMetadata(objects, upload)).to.deep.include({
      format: 'GIF',
      sizeBytes: 100,
      uploadedAt: '2026-11-22T10:15:30.000Z',
      bytesRead: 100,
    });
    expect(objects.calls).to.deep.equal([`head ${upload.key}`, `readRange ${upload.key} 0-100`]);
  });

  it("lets the store's UploadNotFound through", async () => {
    await expectRejection(extractUploadMetadata(objects, upload), UploadNotFound);
  });
});
