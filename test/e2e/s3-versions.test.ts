import { expect } from 'chai';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { expectRejection } from '../support/helpers';
import { sigv4Headers } from './support/signed';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The local S3's version ids and conditional writes (local/s3/object-versions.ts), through the SDK as the functions
 * use it: what version pinning (GetObject/HeadObject with VersionId) and the thumbnail's conditional writes rely on.
 */
describe('local S3: version ids and conditional writes', function () {
  this.timeout(120_000);
  let t: TestStack;
  before(async () => {
    t = await startTestStack({ recognition: false });
  });
  after(async () => t?.stop());

  const put = (Key: string, body: string, extra: Record<string, unknown> = {}) =>
    t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: body, ...extra }));
  const text = async (Key: string, VersionId?: string) => {
    const answer = await t.s3.send(
      new GetObjectCommand({ Bucket: t.bucket, Key, ...(VersionId ? { VersionId } : {}) }),
    );
    return { body: await answer.Body?.transformToString(), versionId: answer.VersionId };
  };

  it('gives every write a new version id, which GET, HEAD and ListObjectVersions answer', async () => {
    const key = 'scratch/versions/a.txt';
    const first = await put(key, 'one');
    const second = await put(key, 'two');
    expect(first.VersionId).to.be.a('string').with.length.greaterThan(10);
    expect(second.VersionId).to.be.a('string').and.not.equal(first.VersionId);
    expect(await text(key)).to.deep.equal({ body: 'two', versionId: second.VersionId });
    expect(await text(key, second.VersionId)).to.deep.equal({ body: 'two', versionId: second.VersionId });
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key, VersionId: second.VersionId }));
    expect(head.VersionId).to.equal(second.VersionId);
    const listed = await t.s3.send(new ListObjectVersionsCommand({ Bucket: t.bucket, Prefix: key }));
    expect(listed.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).to.deep.equal([
      [key, second.VersionId, true],
    ]);
  });

  it('a version that is no longer current is NoSuchVersion (GET) and NotFound (HEAD); deleting it removes nothing', async () => {
    const key = 'scratch/versions/b.txt';
    const old = await put(key, 'old');
    await put(key, 'new');
    const error = await expectRejection(text(key, old.VersionId), Error);
    expect(error.name).to.equal('NoSuchVersion');
    const headError = await expectRejection(
      t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key, VersionId: old.VersionId })),
      Error,
    );
    expect(headError.name).to.equal('NotFound');
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key, VersionId: old.VersionId }));
    expect((await text(key)).body).to.equal('new');
  });

  it('deleting the current version removes it, and a write racing that delete is never what goes', async () => {
    const key = 'scratch/versions/race.txt';
    const first = await put(key, 'first');
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key, VersionId: first.VersionId }));
    await expectRejection(text(key), Error);
    for (let round = 0; round < 12; round++) {
      const old = await put(key, `old ${round}`);
      // Either order is S3's: the delete first (then the new write stays) or the write first (the delete is a no-op).
      const [, newer] = await Promise.all([
        t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key, VersionId: old.VersionId })),
        put(key, `new ${round}`),
      ]);
      expect(await text(key), `round ${round}`).to.deep.equal({ body: `new ${round}`, versionId: newer.VersionId });
    }
  });

  it('a client cannot choose its version id', async () => {
    const key = 'scratch/versions/c.txt';
    const answer = await fetchPut(t.stack.endpoint, `/${t.bucket}/${key}`, 'x', { 'x-local-version-id': 'mine' });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('x-amz-version-id')).to.be.a('string').and.not.equal('mine');
  });

  it('If-None-Match: * creates only what does not exist; If-Match replaces only the ETag it names', async () => {
    const key = 'scratch/conditional/a.txt';
    const created = await put(key, 'first', { IfNoneMatch: '*' });
    const again = await expectRejection(put(key, 'second', { IfNoneMatch: '*' }), Error);
    expect([
      again.name,
      (again as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    ]).to.deep.equal(['PreconditionFailed', 412]);
    const stale = await expectRejection(put(key, 'third', { IfMatch: '"0123456789abcdef0123456789abcdef"' }), Error);
    expect(stale.name).to.equal('PreconditionFailed');
    expect((await text(key)).body, 'refused writes change nothing').to.equal('first');
    await put(key, 'fourth', { IfMatch: created.ETag });
    expect((await text(key)).body).to.equal('fourth');
    const missing = await expectRejection(put('scratch/conditional/none.txt', 'x', { IfMatch: created.ETag }), Error);
    expect(missing.name).to.equal('NoSuchKey');
  });

  it('of concurrent If-None-Match: * writes of one key, exactly one succeeds', async () => {
    const key = 'scratch/conditional/race.txt';
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) => put(key, `writer ${index}`, { IfNoneMatch: '*' })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).to.have.lengthOf(1);
    const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(lost.map((result) => (result.reason as Error).name)).to.deep.equal(Array(7).fill('PreconditionFailed'));
  });

  it('the "Object Created" event carries the upload\'s version id, and the execution reads that version', async () => {
    const key = 'private/versions-user/uploads/v.gif';
    const written = await t.s3.send(
      new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;') }),
    );
    await t.stack.idle();
    const listed = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.stateMachineArn }));
    const inputs = await Promise.all(
      (listed.executions ?? []).map(async ({ executionArn }) => {
        const described = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return JSON.parse(described.input ?? '{}') as { upload?: { key: string; versionId?: string } };
      }),
    );
    const upload = inputs.find((input) => input.upload?.key === key)?.upload;
    expect(upload?.versionId).to.equal(written.VersionId);
    expect(await t.item(key)).to.deep.include({ status: 'UNSUPPORTED', format: 'GIF' });
  });
});

/** A signed-looking PUT with headers of one's own (the stack checks a SigV4 header's presence, not its bytes). */
function fetchPut(endpoint: string, path: string, body: string, headers: Record<string, string>) {
  return fetch(`${endpoint}${path}`, { method: 'PUT', body, headers: { ...sigv4Headers('s3'), ...headers } });
}
