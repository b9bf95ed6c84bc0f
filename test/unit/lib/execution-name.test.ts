import { expect } from 'chai';
import { executionArnFor, executionNameFor } from '../../../functions/lib/execution-name';

const VALID = /^[A-Za-z0-9_-]{1,80}$/;
const USER = 'us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11';

describe('execution-name', () => {
  it('is deterministic: bucket + key + sequencer give one name, a readable prefix and 40 hex digits', () => {
    const key = `private/${USER}/uploads/holidays/nikon-p6000_landscape_gps.jpg`;
    const name = executionNameFor('photorepo', key, '0065A1B2C3D4E5F601');
    expect(name).to.equal(executionNameFor('photorepo', key, '0065A1B2C3D4E5F601'));
    expect(name)
      .to.match(/^nikon-p6000_landscape_gps-jpg-[0-9a-f]{40}$/)
      .and.match(VALID);
  });

  it('changes with the bucket, the key and the sequencer', () => {
    const key = `private/${USER}/uploads/a.jpg`;
    const names = new Set([
      executionNameFor('photorepo', key, '01'),
      executionNameFor('photorepo', key, '02'),
      executionNameFor('other', key, '01'),
      executionNameFor('photorepo', `private/${USER}/uploads/album/a.jpg`, '01'),
    ]);
    expect(names.size).to.equal(4);
  });

  const awkward: [string, RegExp][] = [
    ['my photo+1 (100%).jpg', /^my-photo-1-100-jpg-/],
    ['été 2026.jpg', /^e-?te-2026-jpg-/],
    ['写真.jpg', /^jpg-/],
    ['写真', /^[0-9a-f]{40}$/],
    ['...', /^[0-9a-f]{40}$/],
    ['a'.repeat(300) + '.jpg', /^a{39}-[0-9a-f]{40}$/],
    ['-_-.jpg', /^_-jpg-|^-_-jpg-|^_-.jpg/],
  ];
  for (const [fileName, shape] of awkward) {
    it(`stays within [A-Za-z0-9_-] and 80 characters for "${fileName.slice(0, 20)}"`, () => {
      const name = executionNameFor('photorepo', `private/${USER}/uploads/${fileName}`, '0065A1B2C3D4E5F601');
      expect(name).to.match(VALID);
      expect(name.length).to.be.at.most(80);
      expect(name).to.match(shape);
    });
  }

  it('drops accents from the readable prefix: "été" reads "ete", not "e-te"', () => {
    expect(executionNameFor('photorepo', `private/${USER}/uploads/été.jpg`, '01')).to.match(/^ete-jpg-[0-9a-f]{40}$/);
  });

  it('knows the execution ARN before StartExecution answers', () => {
    expect(executionArnFor('arn:aws:states:eu-west-1:123456789012:stateMachine:ImageProcessing-Ab12', 'n')).to.equal(
      'arn:aws:states:eu-west-1:123456789012:execution:ImageProcessing-Ab12:n',
    );
    expect(executionArnFor('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:M', 'n')).to.equal(
      'arn:aws-cn:states:cn-north-1:123456789012:execution:M:n',
    );
    expect(() => executionArnFor('arn:aws:lambda:us-east-1:123456789012:function:F', 'n')).to.throw(
      RangeError,
      /Not a state machine ARN/,
    );
  });
});
