import { expect } from 'chai';
import { NotSupportedImageType } from '../../../functions/lib/errors';

describe('NotSupportedImageType', () => {
  it('keeps the name the ASL matches and says which formats are processed and which converted', () => {
    const error = new NotSupportedImageType('GIF');
    expect(error.name).to.equal('NotSupportedImageType');
    expect(error.format).to.equal('GIF');
    expect(error.message).to.equal(
      'Image format GIF is not supported; JPEG and PNG are processed, and HEIC, HEIF, WEBP and AVIF are converted ' +
        'to JPEG first when ConvertFormats lists them',
    );
  });
});
