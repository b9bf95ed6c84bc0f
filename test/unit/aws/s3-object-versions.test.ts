import { expect } from 'chai';
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { S3ObjectVersions } from '../../../functions/lib/aws/s3-object-versions';

describe('S3ObjectVersions', () => {
  let s3: AwsClientStub<S3Client>;
  const client = new S3Client({ region: 'us-east-1' });
  const versions = new S3ObjectVersions(() => client);
  const KEY = 'private/alice/uploads/a.jpg';
  before(() => {
    s3 = mockClient(S3Client);
  });
  beforeEach(() => s3.reset());
  after(() => s3.restore());

  it('tells a current version from a delete marker, ignoring longer keys that share the prefix', async () => {
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: [{ Key: KEY, VersionId: 'v1', IsLatest: true }] })
      .resolvesOnce({
        Versions: [
          { Key: KEY, VersionId: 'v1', IsLatest: false },
          { Key: `${KEY}.bak`, VersionId: 'b', IsLatest: true },
        ],
        DeleteMarkers: [{ Key: KEY, VersionId: 'm1', IsLatest: true }],
      })
      .resolvesOnce({ Versions: [{ Key: `${KEY}.bak`, VersionId: 'b', IsLatest: true }] });
    expect(await versions.currentExists('photorepo', KEY)).to.equal(true);
    expect(await versions.currentExists('photorepo', KEY)).to.equal(false);
    expect(await versions.currentExists('photorepo', KEY)).to.equal(false);
    expect(s3.commandCalls(ListObjectVersionsCommand)[0]?.args[0].input).to.deep.equal({
      Bucket: 'photorepo',
      Prefix: KEY,
    });
  });

  it('deletes every version and delete marker of exactly the key, across listing pages, in batches of 1000', async () => {
    const page1 = Array.from({ length: 1000 }, (_, n) => ({ Key: KEY, VersionId: `v${n}`, IsLatest: n === 0 }));
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: page1, IsTruncated: true, NextKeyMarker: KEY, NextVersionIdMarker: 'v999' })
      .resolvesOnce({
        Versions: [
          { Key: KEY, VersionId: 'v1000' },
          { Key: `${KEY}x`, VersionId: 'other' },
        ],
        DeleteMarkers: [{ Key: KEY, VersionId: 'm' }],
        IsTruncated: true,
        NextKeyMarker: `${KEY}x`,
      });
    s3.on(DeleteObjectsCommand).resolves({});
    expect(await versions.deleteEveryVersion('photorepo', KEY)).to.equal(1002);
    expect(s3.commandCalls(ListObjectVersionsCommand), 'stops once the listing is past the key').to.have.lengthOf(2);
    expect(s3.commandCalls(ListObjectVersionsCommand)[1]?.args[0].input).to.include({
      KeyMarker: KEY,
      VersionIdMarker: 'v999',
    });
    const batches = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects ?? []);
    expect(batches.map((batch) => batch.length)).to.deep.equal([1000, 2]);
    expect(batches.flat().every((object) => object.Key === KEY)).to.equal(true);
    expect(batches[1]).to.deep.equal([
      { Key: KEY, VersionId: 'v1000' },
      { Key: KEY, VersionId: 'm' },
    ]);
  });

  it('deletes nothing for a key without versions, and fails loudly when S3 refuses a version', async () => {
    s3.on(ListObjectVersionsCommand).resolves({});
    expect(await versions.deleteEveryVersion('photorepo', KEY)).to.equal(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).to.deep.equal([]);
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: KEY, VersionId: 'v1' }] });
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: KEY, VersionId: 'v1', Code: 'AccessDenied', Message: 'no' }],
    });
    const error = await versions.deleteEveryVersion('photorepo', KEY).then(
      () => undefined,
      (thrown: Error) => thrown,
    );
    expect(error?.message).to.match(/AccessDenied/);
  });
});
