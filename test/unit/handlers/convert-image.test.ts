import { expect } from 'chai';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { handler } from '../../../functions/convert-image';
import {
  CorruptImage,
  ImageTooLarge,
  NotSupportedImageType,
  TransientError,
  UploadNotFound,
  UploadTooLarge,
} from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture, fixtureImage, USER_ID, WRITTEN_VERSION_ID } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('ConvertImage handler', function () {
  this.timeout(60_000);
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string }; metadata: Record<string, unknown> }>('convert-image.json');
  const renditionKey = `private/${USER_ID}/converted/holidays/IMG_7702.HEIC.jpg`;
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => {
    aws.reset();
    aws.objects.set(event.upload.key, fixtureImage('oiio_iphone7_small.heic'));
  });
  after(() => aws.restore());

  it('writes a JPEG rendition under converted/, same album, ".jpg" added to the file name, and answers where', async () => {
    const rendition = await handler(event);
    const [put, ...more] = aws.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(more).to.deep.equal([]);
    expect(put).to.include({ Bucket: 'photorepo', Key: renditionKey, ContentType: 'image/jpeg' });
    const body = put?.Body as Uint8Array;
    expect(rendition).to.deep.equal({
      key: renditionKey,
      versionId: WRITTEN_VERSION_ID,
      sizeBytes: body.byteLength,
      format: 'JPEG',
      width: 512,
      height: 300,
    });
    expect(await sharp(body).metadata()).to.include({ format: 'jpeg', width: 512, height: 300 });
  });

  it('converts WebP and AVIF too, by the format the metadata step detected', async () => {
    for (const [file, format] of [
      ['generated_nikon-p6000_gps.webp', 'WEBP'],
      ['generated_nikon-p6000_gps.avif', 'AVIF'],
    ] as const) {
      aws.objects.set(event.upload.key, fixtureImage(file));
      const input = { ...event, metadata: { ...event.metadata, format, sizeBytes: fixtureImage(file).length } };
      expect(await handler(input), file).to.include({ width: 640, height: 480, format: 'JPEG' });
    }
  });

  it('refuses JPEG, PNG and unknown formats with NotSupportedImageType before reading anything', async () => {
    for (const format of ['JPEG', 'PNG', 'GIF', 'UNKNOWN']) {
      await expectRejection(
        handler({ ...event, metadata: { ...event.metadata, format } }),
        NotSupportedImageType,
        new RegExp(`${format} is not supported`),
      );
    }
    expect(aws.s3.calls()).to.deep.equal([]);
  });

  it('refuses with UploadTooLarge before reading, and ImageTooLarge from the header, under the thumbnail limits', async () => {
    await withEnv({ THUMBNAIL_MAX_BYTES: '1000' }, () =>
      expectRejection(handler(event), UploadTooLarge, /35356 bytes/),
    );
    expect(aws.s3.commandCalls(GetObjectCommand)).to.have.length(0);
    await withEnv({ THUMBNAIL_MAX_PIXELS: '100000' }, () =>
      expectRejection(handler(event), ImageTooLarge, /512x300 pixels exceeds the limit of 100000/),
    );
    expect(aws.s3.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('throws CorruptImage for a truncated file and UploadNotFound when the object is gone', async () => {
    aws.objects.set(event.upload.key, fixtureImage('oiio_iphone7_small.heic').slice(0, 20_000));
    await expectRejection(handler(event), CorruptImage);
    aws.objects.clear();
    await expectRejection(handler(event), UploadNotFound);
  });

  it('throws TransientError when S3 answers 500 on the write', async () => {
    aws.s3.on(PutObjectCommand).rejects(awsError('InternalError', 500));
    await expectRejection(handler(event), TransientError, /Writing private\/.*\/converted\/.* failed transiently/);
  });
});
