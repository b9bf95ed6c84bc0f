import { expect } from 'chai';
import { s3Presigner } from '../../../functions/lib/aws/s3-presigner';
import { uploadPolicyFor } from '../../../functions/lib/upload-policy';
import { withEnv } from '../../support/helpers';

/** Presigning is local computation: no request leaves, so this checks what S3 would be given. */
describe('s3Presigner', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL: undefined,
  };

  it('signs a form POST whose policy holds the bucket, the exact key, the content type and the size range', async () => {
    const policy = uploadPolicyFor('alice', { fileName: 'a b.jpg', contentType: 'image/png', size: 10 }, 5000);
    const { url, fields } = await withEnv(env, () => s3Presigner.post('photorepo', policy));
    expect(url).to.equal('https://photorepo.s3.us-east-1.amazonaws.com/');
    expect(fields).to.include({
      key: 'private/alice/uploads/a b.jpg',
      'Content-Type': 'image/png',
      bucket: 'photorepo',
    });
    const document = JSON.parse(Buffer.from(String(fields.Policy), 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(document.conditions).to.deep.include.members([
      { bucket: 'photorepo' },
      { key: 'private/alice/uploads/a b.jpg' },
      ['eq', '$Content-Type', 'image/png'],
      ['content-length-range', 1, 5000],
    ]);
    const lifetime = Date.parse(document.expiration) - Date.now();
    expect(lifetime).to.be.greaterThan(250_000).and.at.most(300_000);
    expect(fields['X-Amz-Signature']).to.match(/^[0-9a-f]{64}$/);
  });

  it('signs a GET of one object for the given number of seconds', async () => {
    const url = new URL(
      await withEnv(env, () => s3Presigner.getUrl('photorepo', 'private/alice/resized/a b.jpg', 900)),
    );
    expect(url.hostname).to.equal('photorepo.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).to.equal('/private/alice/resized/a b.jpg');
    expect(url.searchParams.get('X-Amz-Expires')).to.equal('900');
  });
});
