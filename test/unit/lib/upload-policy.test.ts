import { expect } from 'chai';
import { BadRequest } from '../../../functions/lib/api-errors';
import { imageIdFor, parseUploadKey } from '../../../functions/lib/upload-key';
import { UPLOAD_EXPIRES_IN_SECONDS, uploadPolicyFor } from '../../../functions/lib/upload-policy';

describe('uploadPolicyFor', () => {
  const request = { fileName: 'my photo+1 (100%).jpg', contentType: 'image/jpeg', size: 1234 };

  it('pins the exact key in the caller folder, the content type and a size from 1 byte to the limit', () => {
    const policy = uploadPolicyFor('alice', request, 5000);
    expect(policy.key).to.equal('private/alice/uploads/my photo+1 (100%).jpg');
    expect(policy.imageId).to.equal(imageIdFor(policy.key));
    expect(policy.fields).to.deep.equal({ 'Content-Type': 'image/jpeg' });
    expect(policy.conditions).to.deep.equal([
      ['eq', '$Content-Type', 'image/jpeg'],
      ['content-length-range', 1, 5000],
    ]);
    expect(policy).to.include({ expiresIn: UPLOAD_EXPIRES_IN_SECONDS, maxBytes: 5000 });
  });

  it('puts an album upload in the album folder, as S3Trigger will parse it', () => {
    const policy = uploadPolicyFor('alice', { ...request, albumId: 'été 2026' }, 5000);
    expect(parseUploadKey(policy.key)).to.deep.equal({
      key: policy.key,
      userId: 'alice',
      albumId: 'été 2026',
      fileName: request.fileName,
    });
  });

  it('refuses a key S3 would not take (over 1024 bytes)', () => {
    expect(() =>
      uploadPolicyFor('alice', { ...request, fileName: 'é'.repeat(255), albumId: 'é'.repeat(255) }, 5000),
    ).to.throw(BadRequest);
  });
});
