import { expect } from 'chai';
import { parseDetectFacesRequest, parseDetectLabelsRequest } from '../../../local/recognition/requests';
import { thrownRekognitionError } from './rekognition-errors';

const s3 = { S3Object: { Bucket: 'photos', Name: 'a.jpg' } };

describe('DetectLabels and DetectFaces request validation', () => {
  it('defaults MinConfidence to 55 and leaves MaxLabels open, as Rekognition does', () => {
    const request = parseDetectLabelsRequest({ Image: s3 });
    expect(request.minConfidence).to.equal(55);
    expect(request).not.to.have.property('maxLabels');
    expect(request.image).to.deep.equal({ kind: 's3', bucket: 'photos', key: 'a.jpg' });
  });

  it('decodes Bytes from the base64 the SDK sends', () => {
    const request = parseDetectLabelsRequest({ Image: { Bytes: Buffer.from([0xff, 0xd8, 0xff]).toString('base64') } });
    expect(request.image.kind).to.equal('bytes');
    expect(request.image.kind === 'bytes' && [...request.image.bytes]).to.deep.equal([0xff, 0xd8, 0xff]);
  });

  it('keeps an S3 object version', () => {
    const request = parseDetectFacesRequest({
      Image: { S3Object: { Bucket: 'photos', Name: 'a.jpg', Version: 'v2' } },
    });
    expect(request.image).to.deep.equal({ kind: 's3', bucket: 'photos', key: 'a.jpg', version: 'v2' });
  });

  it('answers shape errors with ValidationException', () => {
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({})).type).to.equal('ValidationException');
    expect(thrownRekognitionError(() => parseDetectLabelsRequest('x')).type).to.equal('ValidationException');
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: s3, MinConfidence: 101 })).message).to.match(
      /minConfidence.*less than or equal to 100/,
    );
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: s3, MinConfidence: -1 })).type).to.equal(
      'ValidationException',
    );
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: s3, MaxLabels: 1.5 })).type).to.equal(
      'ValidationException',
    );
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: s3, MaxLabels: -1 })).type).to.equal(
      'ValidationException',
    );
    expect(thrownRekognitionError(() => parseDetectFacesRequest({ Image: s3, Attributes: ['FACE'] })).type).to.equal(
      'ValidationException',
    );
    expect(thrownRekognitionError(() => parseDetectFacesRequest({ Image: s3, Attributes: 'ALL' })).type).to.equal(
      'ValidationException',
    );
  });

  it('answers an image that is both or neither Bytes and S3Object with InvalidParameterException', () => {
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: {} })).type).to.equal(
      'InvalidParameterException',
    );
    expect(thrownRekognitionError(() => parseDetectLabelsRequest({ Image: { ...s3, Bytes: 'AAAA' } })).type).to.equal(
      'InvalidParameterException',
    );
  });

  it('answers an S3Object without bucket or key with InvalidS3ObjectException', () => {
    expect(
      thrownRekognitionError(() => parseDetectLabelsRequest({ Image: { S3Object: { Bucket: 'photos' } } })).type,
    ).to.equal('InvalidS3ObjectException');
    expect(
      thrownRekognitionError(() => parseDetectLabelsRequest({ Image: { S3Object: { Name: 'a.jpg' } } })).type,
    ).to.equal('InvalidS3ObjectException');
  });

  it('accepts every documented face attribute', () => {
    const request = parseDetectFacesRequest({
      Image: s3,
      Attributes: ['DEFAULT', 'ALL', 'AGE_RANGE', 'FACE_OCCLUDED'],
    });
    expect([...request.attributes]).to.have.members(['DEFAULT', 'ALL', 'AGE_RANGE', 'FACE_OCCLUDED']);
  });
});
