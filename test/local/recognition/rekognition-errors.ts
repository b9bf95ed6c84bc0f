import { expect } from 'chai';
import { RekognitionError } from '../../../local/recognition/errors';

/** The RekognitionError fn throws; fails the test when it throws nothing or something else. */
export function thrownRekognitionError(fn: () => unknown): RekognitionError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(RekognitionError);
    return error as RekognitionError;
  }
  throw new Error('expected a RekognitionError');
}

/** The RekognitionError promise rejects with; fails the test when it resolves or rejects with something else. */
export async function rejectedRekognitionError(promise: Promise<unknown>): Promise<RekognitionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(RekognitionError);
    return error as RekognitionError;
  }
  throw new Error('expected a RekognitionError');
}
