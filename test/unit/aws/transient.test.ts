import { expect } from 'chai';
import { TransientError } from '../../../functions/lib/errors';
import { callAws, isTransientAwsError } from '../../../functions/lib/aws/transient';
import { awsError } from '../../support/aws-mocks';

describe('transient', () => {
  describe('isTransientAwsError', () => {
    for (const name of [
      'ThrottlingException',
      'TooManyRequestsException',
      'ProvisionedThroughputExceededException',
      'SlowDown',
      'RequestLimitExceeded',
      'ServiceUnavailable',
      'InternalServerError',
      'LimitExceededException',
    ]) {
      it(`retries ${name}`, () => expect(isTransientAwsError(awsError(name, 400))).to.equal(true));
    }

    it('retries any 5xx, SDK-retryable errors and network failures', () => {
      expect(isTransientAwsError(awsError('SomethingNew', 502))).to.equal(true);
      expect(isTransientAwsError(Object.assign(new Error('x'), { $retryable: {} }))).to.equal(true);
      expect(isTransientAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).to.equal(true);
      expect(isTransientAwsError(Object.assign(new Error('timeout'), { name: 'TimeoutError' }))).to.equal(true);
    });

    it('never retries a permanent error', () => {
      for (const name of [
        'AccessDenied',
        'ValidationException',
        'ConditionalCheckFailedException',
        'NoSuchKey',
        'InvalidImageFormatException',
        'CorruptImage',
      ]) {
        expect(isTransientAwsError(awsError(name, 400)), name).to.equal(false);
      }
      expect(isTransientAwsError('ThrottlingException')).to.equal(false);
      expect(isTransientAwsError(undefined)).to.equal(false);
    });
  });

  describe('callAws', () => {
    it('answers what the call answers', async () => {
      expect(await callAws('Reading', async () => 42)).to.equal(42);
    });

    it('turns a transient failure into TransientError, naming the call and keeping the original as cause', async () => {
      const original = awsError('ThrottlingException', 400, 'Rate exceeded');
      const error = await callAws('Storing the labels', async () => {
        throw original;
      }).then(
        () => undefined,
        (thrown: unknown) => thrown as TransientError,
      );
      expect(error).to.be.instanceOf(TransientError);
      expect(error?.name).to.equal('TransientError');
      expect(error?.message).to.equal('Storing the labels failed transiently: ThrottlingException: Rate exceeded');
      expect(error?.cause).to.equal(original);
    });

    it('rethrows a permanent failure unchanged', async () => {
      const original = awsError('AccessDenied', 403);
      const thrown = await callAws('Writing', async () => {
        throw original;
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(thrown).to.equal(original);
    });
  });
});
