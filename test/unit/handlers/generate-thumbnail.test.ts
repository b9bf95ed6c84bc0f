import { expect } from 'chai';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { handler } from '../../../functions/generate-thumbnail';
import {
  CorruptImage,
  ImageTooLarge,
  InvalidConfiguration,
  NotSupportedImageType,
  TransientError,
  UploadNotFound,
} from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture, fixtureImage, USER_ID, WRITTEN_VERSION_ID } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('GenerateThumbnail handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string }; metadata: Record<string, unknown> }>('generate-thumbnail.json');
  const thumbnailKey = `private/${USER_ID}/resized/holidays/nikon-p6000_landscape_gps.jpg`;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
  });
  after(() => aws.restore());

  it('writes a JPEG within THUMBNAIL_MAX_SIZE under resized/, same album and file name, and answers where', async () => {
    const thumbnail = await handler(event);
    const [put, ...more] = aws.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(more).to.deep.equal([]);
    // No thumbnail yet: created only if none appeared meanwhile, naming the upload it was made from.
    expect(put).to.include({ Bucket: 'photorepo', Key: thumbnailKey, ContentType: 'image/jpeg', IfNoneMatch: '*' });
    expect(put?.Metadata).to.deep.equal({ 'source-sequencer': '0065A1B2C3D4E5F601' });
    expect(thumbnail).to.deep.equal({
      key: thumbnailKey,
      width: 250,
      height: 188,
      format: 'JPEG',
      sizeBytes: (put?.Body as Uint8Array).byteLength,
      versionId: WRITTEN_VERSION_ID,
    });
  });

  it("makes a converted upload's thumbnail from its JPEG rendition (events/generate-thumbnail-converted.json)", async () => {
    const converted = eventFixture<{ upload: { key: string }; metadata: { rendition: { key: string } } }>(
      'generate-thumbnail-converted.json',
    );
    aws.objects.set(converted.metadata.rendition.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
    const thumbnail = await handler(converted);
    const reads = aws.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
    expect(reads).to.deep.equal([converted.metadata.rendition.key]);
    expect(thumbnail).to.include({
      key: converted.upload.key.replace('/uploads/', '/resized/'),
      format: 'JPEG',
      width: 250,
    });
  });

  it('follows THUMBNAIL_MAX_SIZE and never upscales', async () => {
    expect(await withEnv({ THUMBNAIL_MAX_SIZE: '100' }, () => handler(event))).to.include({ width: 100, height: 75 });
    expect(await withEnv({ THUMBNAIL_MAX_SIZE: '2048' }, () => handler(event))).to.include({ width: 640, height: 480 });
    await withEnv({ THUMBNAIL_MAX_SIZE: 'large' }, () =>
      expectRejection(handler(event), InvalidConfiguration, /THUMBNAIL_MAX_SIZE/),
    );
  });

  it('refuses with ImageTooLarge, before reading the object, what exceeds THUMBNAIL_MAX_PIXELS', async () => {
    await withEnv({ THUMBNAIL_MAX_PIXELS: '300000' }, () =>
      expectRejection(handler(event), ImageTooLarge, /640x480 pixels exceeds the limit of 300000/),
    );
    expect(aws.s3.calls().map((call) => call.args[0].constructor.name)).to.not.include('PutObjectCommand');
  });

  it('throws NotSupportedImageType for metadata of another format, and CorruptImage without dimensions', async () => {
    await expectRejection(
      handler({ ...event, metadata: { ...event.metadata, format: 'GIF' } }),
      NotSupportedImageType,
      /GIF is not supported/,
    );
    const { width: _width, ...noWidth } = event.metadata;
    await expectRejection(handler({ ...event, metadata: noWidth }), CorruptImage, /No dimensions known/);
    expect(aws.s3.calls()).to.deep.equal([]);
  });

  it('throws CorruptImage for truncated bytes and UploadNotFound when the object is gone', async () => {
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg').slice(0, 20_000));
    await expectRejection(handler(event), CorruptImage);
    aws.objects.clear();
    await expectRejection(handler(event), UploadNotFound);
  });

  it('throws TransientError when S3 answers 500 on the write', async () => {
    aws.s3.on(PutObjectCommand).rejects(awsError('InternalError', 500));
    await expectRejection(
      handler(event),
      TransientError,
      /Writing private\/.*\/resized\/.* failed transiently: InternalError/,
    );
  });
});
