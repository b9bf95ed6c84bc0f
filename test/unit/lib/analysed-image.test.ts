import { expect } from 'chai';
import { analysedImage } from '../../../functions/lib/analysed-image';
import { InvalidEvent } from '../../../functions/lib/errors';
import type { StepMetadata } from '../../../functions/lib/workflow';
import { uploadFor, USER_ID } from '../../support/fixtures';

describe('analysedImage: what recognition and the thumbnail read', () => {
  const upload = uploadFor('IMG_7702.HEIC');
  const metadata: StepMetadata = {
    format: 'HEIC',
    width: 512,
    height: 300,
    orientation: 6,
    sizeBytes: 35356,
    uploadedAt: '2026-11-22T10:15:30.000Z',
    bytesRead: 35356,
  };
  const rendition = {
    key: `private/${USER_ID}/converted/holidays/IMG_7702.HEIC.jpg`,
    sizeBytes: 41022,
    format: 'JPEG' as const,
    width: 512,
    height: 300,
  };

  it('is the upload, as the metadata describes it, when nothing was converted', () => {
    expect(analysedImage(upload, metadata)).to.deep.include({
      bucket: 'photorepo',
      key: upload.key,
      format: 'HEIC',
      sizeBytes: 35356,
      width: 512,
      height: 300,
      orientation: 6,
    });
  });

  it('is the JPEG rendition when ConvertImage made one: its key, size and format, and no orientation (it is upright)', () => {
    const image = analysedImage(upload, { ...metadata, rendition });
    expect(image).to.deep.equal({ bucket: 'photorepo', ...rendition });
    expect(image).to.not.have.property('orientation');
  });

  it("refuses a rendition key that is not this upload's, so a step never reads another user's object", () => {
    const elsewhere = { ...rendition, key: 'private/someone-else/converted/holidays/IMG_7702.HEIC.jpg' };
    expect(() => analysedImage(upload, { ...metadata, rendition: elsewhere })).to.throw(
      InvalidEvent,
      /rendition of .* is .*converted\/holidays\/IMG_7702\.HEIC\.jpg, not private\/someone-else/,
    );
  });
});
