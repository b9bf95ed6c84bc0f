import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { expect } from 'chai';
import { checkPostPolicy, type PolicyVerdict } from '../../../local/s3/post-policy';

/**
 * The local S3's POST policy checks, against forms signed by the AWS SDK's own createPresignedPost (what the
 * CreateUpload handler uses), so the local checks and AWS's signer agree.
 */
describe('S3 POST policy', () => {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4566',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  after(() => s3.destroy());
  const bucket = 'photorepo';
  const key = 'private/user-1/uploads/album-1/cat.png';
  const signed = (options: Partial<PresignedPostOptions> = {}) =>
    createPresignedPost(s3, {
      Bucket: bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, 1000],
        ['eq', '$Content-Type', 'image/png'],
      ],
      Fields: { 'Content-Type': 'image/png' },
      Expires: 300,
      ...options,
    });
  const check = async (
    change: {
      fields?: Record<string, string>;
      extra?: [string, string][];
      size?: number;
      name?: string;
      now?: Date;
      bucket?: string;
    } = {},
    options?: Partial<PresignedPostOptions>,
  ): Promise<PolicyVerdict> => {
    const post = await signed(options);
    const fields = Object.entries({ ...post.fields, ...change.fields }).filter(([, value]) => value !== '<drop>');
    return checkPostPolicy(
      {
        fields: [...fields, ...(change.extra ?? [])],
        file: { name: change.name ?? 'cat.png', size: change.size ?? 100 },
      },
      {
        bucket: change.bucket ?? bucket,
        now: change.now ?? new Date(),
        secretFor: (id) => (id === 'local' ? 'local' : undefined),
      },
    );
  };

  it('accepts the form the SDK signed, with the key it pins', async () => {
    expect(await check()).to.deep.include({ ok: true, key });
  });

  it('refuses a key outside the pinned one (another user, another folder)', async () => {
    const verdict = await check({ fields: { key: 'private/user-2/uploads/cat.png' } });
    expect(verdict).to.deep.include({ ok: false, status: 403, code: 'AccessDenied' });
    if (!verdict.ok)
      expect(verdict.message).to.equal(
        `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${key}"]`,
      );
  });

  it('refuses another Content-Type, and a missing one', async () => {
    expect(await check({ fields: { 'Content-Type': 'text/html' } })).to.deep.include({
      ok: false,
      code: 'AccessDenied',
    });
    expect(await check({ fields: { 'Content-Type': '<drop>' } })).to.deep.include({ ok: false, code: 'AccessDenied' });
  });

  it('refuses a file over or under content-length-range with EntityTooLarge / EntityTooSmall and the sizes', async () => {
    expect(await check({ size: 1001 })).to.deep.include({
      ok: false,
      status: 400,
      code: 'EntityTooLarge',
      details: { ProposedSize: '1001', MaxSizeAllowed: '1000' },
    });
    expect(await check({ size: 0 })).to.deep.include({
      ok: false,
      status: 400,
      code: 'EntityTooSmall',
      details: { ProposedSize: '0', MinSizeAllowed: '1' },
    });
    expect((await check({ size: 1000 })).ok).to.equal(true);
  });

  it('refuses an expired policy', async () => {
    const verdict = await check({ now: new Date(Date.now() + 301_000) });
    expect(verdict).to.deep.include({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
  });

  it('refuses a forged signature, a policy changed after signing, and an unknown access key', async () => {
    expect(await check({ fields: { 'X-Amz-Signature': 'f'.repeat(64) } })).to.deep.include({
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    const post = await signed();
    const document = JSON.parse(Buffer.from(post.fields.Policy as string, 'base64').toString()) as {
      conditions: unknown[];
    };
    document.conditions = document.conditions.map((condition) =>
      JSON.stringify(condition).includes(key) ? { key: 'private/user-2/uploads/x.png' } : condition,
    );
    const widened = Buffer.from(JSON.stringify(document)).toString('base64');
    expect(await check({ fields: { Policy: widened, key: 'private/user-2/uploads/x.png' } })).to.deep.include({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(
      await check({
        fields: { 'X-Amz-Credential': (post.fields['X-Amz-Credential'] as string).replace(/^local/, 'someone') },
      }),
    ).to.deep.include({ ok: false, code: 'InvalidAccessKeyId' });
  });

  it('refuses a field no condition covers, but lets x-ignore- fields through', async () => {
    const verdict = await check({ extra: [['x-amz-meta-owner', 'user-2']] });
    expect(verdict).to.deep.include({
      ok: false,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
    });
    expect((await check({ extra: [['x-ignore-note', 'anything']] })).ok).to.equal(true);
  });

  it('checks the bucket of the URL against the policy', async () => {
    expect(await check({ bucket: 'otherbucket' })).to.deep.include({ ok: false, code: 'AccessDenied' });
  });

  it('refuses a form without key or without policy (anonymous upload to a private bucket)', async () => {
    expect(await check({ fields: { key: '<drop>' } })).to.deep.include({
      ok: false,
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await check({ fields: { Policy: '<drop>' } })).to.deep.include({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message: 'Access Denied',
    });
  });

  it('fills ${filename} and checks starts-with conditions, Content-Type lists included', async () => {
    const options = {
      Key: 'private/user-1/uploads/${filename}',
      Conditions: [
        ['starts-with', '$key', 'private/user-1/uploads/'],
        ['starts-with', '$Content-Type', 'image/'],
      ] as PresignedPostOptions['Conditions'],
      Fields: {},
    };
    const type = (value: string) => ({ 'Content-Type': value });
    expect(await check({ name: 'dog.jpg', fields: type('image/jpeg') }, options)).to.deep.include({
      ok: true,
      key: 'private/user-1/uploads/dog.jpg',
    });
    expect((await check({ fields: type('image/png,image/jpeg') }, options)).ok).to.equal(true);
    expect(await check({ fields: type('image/png,text/html') }, options)).to.deep.include({
      ok: false,
      code: 'AccessDenied',
    });
    expect(
      await check({ fields: { ...type('image/png'), key: 'private/user-2/uploads/${filename}' } }, options),
    ).to.deep.include({ ok: false, code: 'AccessDenied' });
  });
});
