import { expect } from 'chai';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { handler } from '../../../functions/extract-image-metadata';
import {
  CorruptImage,
  InvalidConfiguration,
  InvalidEvent,
  TransientError,
  UploadNotFound,
} from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture, fixtureImage } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('ExtractImageMetadata handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string; versionId: string } }>('extract-image-metadata.json');
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('answers the metadata of the photo the fixture names, reading only its head', async () => {
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
    const metadata = await handler(event);
    expect(metadata).to.deep.equal({
      format: 'JPEG',
      width: 640,
      height: 480,
      orientation: 1,
      exif: {
        make: 'NIKON',
        model: 'COOLPIX P6000',
        takenAt: '2008-10-22T16:28:39',
        exposureTime: 0.013333333333333334,
        fNumber: 5.9,
        iso: 64,
        focalLength: 24,
      },
      gps: { latitude: 43.46744833333334, longitude: 11.885126666663888 },
      sizeBytes: 161713,
      uploadedAt: '2026-11-22T10:15:31.000Z',
      bytesRead: 65536,
      convertible: false,
    });
    expect(aws.s3.commandCalls(HeadObjectCommand).map((call) => call.args[0].input)).to.deep.equal([
      { Bucket: 'photorepo', Key: event.upload.key, VersionId: event.upload.versionId },
    ]);
    expect(aws.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).to.deep.equal([
      { Bucket: 'photorepo', Key: event.upload.key, VersionId: event.upload.versionId, Range: 'bytes=0-65535' },
    ]);
  });

  it('matches the metadata the downstream step fixtures carry (events/store-image-metadata.json)', async () => {
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
    const metadata = await handler(event);
    const fixture = eventFixture<{ metadata: Record<string, unknown> }>('store-image-metadata.json').metadata;
    expect(metadata).to.include({
      format: fixture.format,
      width: fixture.width,
      height: fixture.height,
      sizeBytes: fixture.sizeBytes,
    });
  });

  it('falls back to the event time when S3 gives no LastModified', async () => {
    aws.s3.on(HeadObjectCommand).resolves({ ContentLength: 0 });
    expect(await handler(event)).to.deep.equal({
      format: 'UNKNOWN',
      sizeBytes: 0,
      uploadedAt: '2026-11-22T10:15:30.000Z',
      bytesRead: 0,
      convertible: false,
    });
  });

  it('flags the formats CONVERT_FORMATS names as convertible, by default HEIC, HEIF, WEBP and AVIF, and none when empty', async () => {
    const heic = fixtureImage('oiio_iphone7_small.heic');
    aws.objects.set(event.upload.key, heic);
    expect(await handler(event)).to.include({ format: 'HEIC', convertible: true });
    expect(await withEnv({ CONVERT_FORMATS: 'WEBP, avif' }, () => handler(event))).to.include({
      format: 'HEIC',
      convertible: false,
    });
    expect(await withEnv({ CONVERT_FORMATS: '' }, () => handler(event))).to.include({ convertible: false });
    aws.objects.set(event.upload.key, fixtureImage('generated_nikon-p6000_gps.webp'));
    expect(await withEnv({ CONVERT_FORMATS: 'WEBP, avif' }, () => handler(event))).to.include({
      format: 'WEBP',
      convertible: true,
    });
    aws.objects.set(event.upload.key, fixtureImage('generated_chelsea-cat.gif'));
    expect(await handler(event), 'a format no decoder reads').to.include({ format: 'GIF', convertible: false });
  });

  it('refuses a CONVERT_FORMATS naming a format ConvertImage cannot read, with InvalidConfiguration', async () => {
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg'));
    await withEnv({ CONVERT_FORMATS: 'HEIC,GIF' }, () =>
      expectRejection(
        handler(event),
        InvalidConfiguration,
        /CONVERT_FORMATS may list only HEIC, HEIF, WEBP, AVIF; got GIF/,
      ),
    );
  });

  it('throws UploadNotFound when the object is gone', async () => {
    await expectRejection(handler(event), UploadNotFound, /no longer exists/);
  });

  it('throws CorruptImage for a JPEG cut before its frame header', async () => {
    aws.objects.set(event.upload.key, fixtureImage('nikon-p6000_landscape_gps.jpg').slice(0, 300));
    await expectRejection(handler(event), CorruptImage);
  });

  it('throws TransientError when S3 answers 503 SlowDown', async () => {
    aws.s3.on(HeadObjectCommand).rejects(awsError('SlowDown', 503));
    await expectRejection(handler(event), TransientError, /Reading .* failed transiently: SlowDown/);
  });

  it('throws InvalidEvent, naming the missing fields, for an input without a full upload', async () => {
    await expectRejection(
      handler({ upload: { bucket: 'photorepo' } }),
      InvalidEvent,
      /missing upload fields: key, userId, fileName, imageId, sequencer, eventTime/,
    );
    await expectRejection(handler({}), InvalidEvent);
  });
});
