import { expect } from 'chai';
import { CorruptImage, NotSupportedImageType, UploadSuperseded, UploadTooLarge } from '../../../functions/lib/errors';
import type { UploadRef } from '../../../functions/lib/image-item';
import type { ImageMetadata } from '../../../functions/lib/image-metadata';
import { writeUploadThumbnail, type ThumbnailSettings } from '../../../functions/lib/thumbnail/upload';
import { MemoryObjects } from '../../support/fakes';
import { eventFixture } from '../../support/fixtures';
import { expectRejection } from '../../support/helpers';
import { fixture } from './helpers';

/** The GenerateThumbnail step's core over a fake ObjectStore: no SDK, no environment. */
describe('writeUploadThumbnail', () => {
  const { upload, metadata } = eventFixture<{ upload: UploadRef; metadata: ImageMetadata }>('generate-thumbnail.json');
  const photo = fixture('nikon-p6000_landscape_gps.jpg');
  let objects: MemoryObjects;
  let reads: string[];
  const settings = (maxBytes = 50 * 1024 * 1024): ThumbnailSettings => ({
    maxBytes: () => (reads.push('maxBytes'), maxBytes),
    maxSize: () => (reads.push('maxSize'), 100),
    maxPixels: () => (reads.push('maxPixels'), 1_000_000),
  });
  beforeEach(() => {
    objects = new MemoryObjects();
    objects.put(upload.key, photo, undefined, upload.versionId);
    reads = [];
  });

  it('reads the upload at its version, writes the thumbnail under resized/ with its content type, and answers where', async () => {
    const thumbnailKey = upload.key.replace('/uploads/', '/resized/');
    const written = await writeUploadThumbnail(objects, upload, metadata, settings());
    const stored = objects.objects.get(thumbnailKey);
    expect(written).to.deep.equal({
      key: thumbnailKey,
      width: 100,
      height: 75,
      format: 'JPEG',
      sizeBytes: stored?.body.byteLength,
      versionId: stored?.versionId,
    });
    expect(stored?.contentType).to.equal('image/jpeg');
    expect(stored?.metadata, 'the thumbnail names its upload').to.deep.equal({ 'source-sequencer': upload.sequencer });
    expect(objects.calls).to.deep.equal([
      `read ${upload.key}@${upload.versionId}`,
      `headIfAny ${thumbnailKey}`,
      `write ${thumbnailKey}`,
    ]);
  });

  it('a newer upload landing mid-execution changes nothing: its bytes are not read, its thumbnail not replaced', async () => {
    const thumbnailKey = upload.key.replace('/uploads/', '/resized/');
    objects.put(upload.key, new Uint8Array([1, 2, 3]));
    await writeUploadThumbnail(objects, upload, metadata, settings());
    expect(objects.calls[0], 'the version of the event, not the current one').to.equal(
      `read ${upload.key}@${upload.versionId}`,
    );
    objects.put(thumbnailKey, new Uint8Array([7]), { 'source-sequencer': '0065A1B2C3D4E5F6FF' });
    await expectRejection(writeUploadThumbnail(objects, upload, metadata, settings()), UploadSuperseded);
    expect(objects.objects.get(thumbnailKey)?.body).to.deep.equal(new Uint8Array([7]));
  });

  it("makes a converted upload's thumbnail from its JPEG rendition, under the upload's own name", async () => {
    const renditionKey = upload.key.replace('/uploads/', '/converted/') + '.jpg';
    objects.put(renditionKey, photo);
    const heic = { ...metadata, format: 'HEIC' as const, orientation: 6, sizeBytes: 10 * 1024 * 1024 * 1024 };
    const rendition = {
      key: renditionKey,
      versionId: objects.objects.get(renditionKey)?.versionId as string,
      sizeBytes: photo.byteLength,
      format: 'JPEG' as const,
      width: 640,
      height: 480,
    };
    const written = await writeUploadThumbnail(objects, upload, { ...heic, rendition }, settings());
    const thumbnailKey = upload.key.replace('/uploads/', '/resized/');
    expect(written, 'the rendition is upright: the HEIC orientation is not applied again').to.include({
      key: thumbnailKey,
      width: 100,
      height: 75,
    });
    expect(objects.calls).to.deep.equal([
      `read ${renditionKey}@${rendition.versionId}`,
      `headIfAny ${thumbnailKey}`,
      `write ${thumbnailKey}`,
    ]);
  });

  it('refuses, reading nothing, another format, missing dimensions, or more bytes than maxBytes', async () => {
    await expectRejection(
      writeUploadThumbnail(objects, upload, { ...metadata, format: 'GIF' }, settings()),
      NotSupportedImageType,
    );
    const { width: _width, ...noWidth } = metadata;
    await expectRejection(writeUploadThumbnail(objects, upload, noWidth, settings()), CorruptImage);
    expect(reads).to.deep.equal([]);
    await expectRejection(writeUploadThumbnail(objects, upload, metadata, settings(1000)), UploadTooLarge);
    expect(reads).to.deep.equal(['maxBytes']);
    expect(objects.calls).to.deep.equal([]);
  });
});
