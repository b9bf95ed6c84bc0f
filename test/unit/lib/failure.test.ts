import { expect } from 'chai';
import { failureRecord, unsupportedRecord } from '../../../functions/lib/failure';

/** What NotSupportedImageType's message says the workflow takes. */
const PROCESSED_AND_CONVERTED =
  'JPEG and PNG are processed, and HEIC, HEIF, WEBP and AVIF are converted to JPEG first when ConvertFormats lists them';

describe('failureRecord', () => {
  it('takes the state from the Catch ResultPath key and the message from the Lambda runtime JSON', () => {
    const cause = JSON.stringify({
      errorType: 'CorruptImage',
      errorMessage: 'JPEG data ends before the first scan',
      trace: ['CorruptImage: ...'],
    });
    expect(failureRecord({ ProcessImage: { Error: 'CorruptImage', Cause: cause } })).to.deep.equal({
      name: 'CorruptImage',
      message: 'JPEG data ends before the first scan',
      state: 'ProcessImage',
    });
  });

  it('keeps a plain-text cause, and JSON without errorMessage, as given', () => {
    expect(
      failureRecord({ CompleteProcessing: { Error: 'States.Timeout', Cause: 'Task timed out' } }).message,
    ).to.equal('Task timed out');
    expect(failureRecord({ X: { Error: 'E', Cause: '{"reason":"other"}' } }).message).to.equal('{"reason":"other"}');
    expect(failureRecord({ X: { Error: 'E', Cause: 'null' } }).message).to.equal('null');
  });

  it('caps the message at 1000 characters, so the item stays small', () => {
    const cause = JSON.stringify({ errorMessage: 'x'.repeat(5000) });
    expect(failureRecord({ X: { Error: 'E', Cause: cause } }).message).to.have.lengthOf(1000);
  });

  it('never throws on an incomplete failure', () => {
    expect(failureRecord({})).to.deep.equal({ name: 'UnknownError', message: '', state: 'Unknown' });
    expect(failureRecord({ StoreLabels: {} })).to.deep.equal({
      name: 'UnknownError',
      message: '',
      state: 'StoreLabels',
    });
  });
});

describe('unsupportedRecord', () => {
  it('names the format ImageTypeCheck did not let through, or UNKNOWN without metadata', () => {
    expect(unsupportedRecord({ format: 'GIF' })).to.deep.equal({
      name: 'NotSupportedImageType',
      message: 'Image format GIF is not supported; ' + PROCESSED_AND_CONVERTED,
      state: 'ImageTypeCheck',
    });
    expect(unsupportedRecord(undefined).message).to.match(/^Image format UNKNOWN is not supported/);
  });

  it("records ConvertImage's refusal, which its Catch put under the metadata, with the message from the runtime JSON", () => {
    const cause = JSON.stringify({
      errorType: 'NotSupportedImageType',
      errorMessage: 'Image format WEBP (animated) is not supported; ' + PROCESSED_AND_CONVERTED,
      trace: [],
    });
    expect(
      unsupportedRecord({ format: 'WEBP', unsupported: { Error: 'NotSupportedImageType', Cause: cause } }),
    ).to.deep.equal({
      name: 'NotSupportedImageType',
      message: 'Image format WEBP (animated) is not supported; ' + PROCESSED_AND_CONVERTED,
      state: 'ConvertImage',
    });
  });
});
