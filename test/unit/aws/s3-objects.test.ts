import { expect } from 'chai';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { objectStoreOn } from '../../../functions/lib/aws/s3-objects';
import { TransientError, UploadNotFound } from '../../../functions/lib/errors';
import { WriteConflict } from '../../../functions/lib/object-store';
import { awsError } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('s3-objects (the ObjectStore adapter)', () => {
  let s3: AwsClientStub<S3Client>;
  const objects = objectStoreOn(new S3Client({ region: 'us-east-1' }));
  const object = { bucket: 'photorepo', key: 'private/u/uploads/photo.jpg' };
  const pinned = { ...object, versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' };
  const body = (bytes: number[]) => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } });
  before(() => {
    s3 = mockClient(S3Client);
  });
  beforeEach(() => s3.reset());
  after(() => s3.restore());

  it('heads an object: size, time, ETag, version and user metadata when S3 gives them', async () => {
    const lastModified = new Date('2026-11-22T10:15:31Z');
    s3.on(HeadObjectCommand).resolves({ ContentLength: 42, LastModified: lastModified, ETag: '"e"' });
    expect(await objects.head(object)).to.deep.equal({ sizeBytes: 42, lastModified, etag: '"e"' });
    s3.on(HeadObjectCommand).resolves({ ContentLength: 1, VersionId: 'v', Metadata: { 'source-sequencer': '0A' } });
    expect(await objects.head(object)).to.deep.equal({
      sizeBytes: 1,
      versionId: 'v',
      metadata: { 'source-sequencer': '0A' },
    });
    s3.on(HeadObjectCommand).resolves({});
    expect(await objects.head(object)).to.deep.equal({ sizeBytes: 0 });
  });

  it('reads a range as an inclusive HTTP Range, asks nothing for an empty one, and reads whole objects', async () => {
    s3.on(GetObjectCommand).resolves(body([1, 2, 3]) as never);
    expect(await objects.readRange(object, 10, 13)).to.deep.equal(new Uint8Array([1, 2, 3]));
    expect(await objects.readRange(object, 13, 13)).to.deep.equal(new Uint8Array(0));
    expect(await objects.read(object)).to.deep.equal(new Uint8Array([1, 2, 3]));
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).to.deep.equal([
      { Bucket: 'photorepo', Key: object.key, Range: 'bytes=10-12' },
      { Bucket: 'photorepo', Key: object.key },
    ]);
  });

  it('reads, ranges and heads the version a reference names, and only that one', async () => {
    s3.on(GetObjectCommand).resolves(body([1]) as never);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 1 });
    await objects.read(pinned);
    await objects.readRange(pinned, 0, 1);
    await objects.head(pinned);
    const versions = [...s3.commandCalls(GetObjectCommand), ...s3.commandCalls(HeadObjectCommand)].map(
      (call) => (call.args[0].input as { VersionId?: string }).VersionId,
    );
    expect(versions).to.deep.equal([pinned.versionId, pinned.versionId, pinned.versionId]);
  });

  it('turns NoSuchKey, NotFound and NoSuchVersion into UploadNotFound, and 503 into TransientError', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    await expectRejection(objects.read(object), UploadNotFound);
    s3.on(GetObjectCommand).rejects(awsError('NoSuchVersion', 404));
    await expectRejection(objects.read(pinned), UploadNotFound);
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    await expectRejection(objects.head(object), UploadNotFound);
    s3.on(HeadObjectCommand).rejects(awsError('SlowDown', 503));
    await expectRejection(objects.head(object), TransientError, /Reading .* failed transiently: SlowDown/);
  });

  it('AccessDenied stays AccessDenied: only S3 saying "not there" is UploadNotFound', async () => {
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));
    const error = await expectRejection(objects.read(object), Error);
    expect(error.name).to.equal('AccessDenied');
  });

  it('headIfAny answers undefined for an object that is not there, and the head of one that is', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    expect(await objects.headIfAny(object)).to.equal(undefined);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 3, ETag: '"e"' });
    expect(await objects.headIfAny(object)).to.deep.equal({ sizeBytes: 3, etag: '"e"' });
  });

  it('writes with the content type, and a write failing with 500 is TransientError', async () => {
    const thumbnail = new Uint8Array([9]);
    s3.on(PutObjectCommand).resolves({ VersionId: 'new', ETag: '"t"' });
    const written = await objects.write(
      { bucket: 'photorepo', key: 'private/u/resized/photo.jpg' },
      thumbnail,
      'image/jpeg',
    );
    expect(written).to.deep.equal({ versionId: 'new', etag: '"t"' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).to.deep.equal({
      Bucket: 'photorepo',
      Key: 'private/u/resized/photo.jpg',
      Body: thumbnail,
      ContentType: 'image/jpeg',
    });
    s3.on(PutObjectCommand).rejects(awsError('InternalError', 500));
    await expectRejection(objects.write(object, thumbnail, 'image/jpeg'), TransientError, /Writing/);
  });

  it('writes conditionally with user metadata, and a lost condition (412, 409) is WriteConflict', async () => {
    const key = { bucket: 'photorepo', key: 'private/u/resized/photo.jpg' };
    const metadata = { 'source-sequencer': '0A' };
    await objects.write(key, new Uint8Array([1]), 'image/jpeg', { metadata, condition: { ifNoneMatch: '*' } });
    await objects.write(key, new Uint8Array([1]), 'image/jpeg', { condition: { ifMatch: '"e"' } });
    const [created, replaced] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(created).to.include({ IfNoneMatch: '*' }).and.deep.include({ Metadata: metadata });
    expect(created).not.to.have.property('IfMatch');
    expect(replaced).to.include({ IfMatch: '"e"' }).and.not.have.property('IfNoneMatch');
    for (const [name, status] of [
      ['PreconditionFailed', 412],
      ['ConditionalRequestConflict', 409],
    ] as const) {
      s3.on(PutObjectCommand).rejects(awsError(name, status));
      await expectRejection(objects.write(key, new Uint8Array([1]), 'image/jpeg'), WriteConflict);
    }
  });
});
