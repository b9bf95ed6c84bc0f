import { expect } from 'chai';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  InvalidImageFormatException,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { REFUSAL_ERROR_NAMES, RekognitionLabels, toStoredLabels } from '../../../functions/lib/aws/rekognition-labels';
import { TransientError } from '../../../functions/lib/errors';
import { ImageRefused } from '../../../functions/lib/recognition';
import { awsError } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('RekognitionLabels (the ImageRecognition adapter)', () => {
  let rekognition: AwsClientStub<RekognitionClient>;
  const adapter = new RekognitionLabels(new RekognitionClient({ region: 'us-east-1' }));
  const image = { bucket: 'photorepo', key: 'private/u/uploads/a/photo.jpg' };
  before(() => {
    rekognition = mockClient(RekognitionClient);
  });
  beforeEach(() => rekognition.reset());
  after(() => rekognition.restore());

  it('sends DetectLabels on the S3 object with the limits, and DetectFaces on the same object', async () => {
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'Sky', Confidence: 99.123 }] });
    rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [{}, {}] });
    expect(await adapter.detectLabels(image, { maxLabels: 7, minConfidence: 55.5 })).to.deep.equal([
      { name: 'Sky', confidence: 99.12, parents: [] },
    ]);
    expect(await adapter.countFaces(image)).to.equal(2);
    const s3Object = { S3Object: { Bucket: 'photorepo', Name: image.key } };
    expect(rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input).to.deep.equal({
      Image: s3Object,
      MaxLabels: 7,
      MinConfidence: 55.5,
    });
    expect(rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input).to.deep.equal({ Image: s3Object });
  });

  it('turns a refusal into ImageRefused with the Rekognition name and message, and throttling into TransientError', async () => {
    rekognition
      .on(DetectLabelsCommand)
      .rejects(new InvalidImageFormatException({ message: 'bad format', $metadata: { httpStatusCode: 400 } }));
    const refused = await expectRejection(
      adapter.detectLabels(image, { maxLabels: 1, minConfidence: 1 }),
      ImageRefused,
    );
    expect(refused.refusal).to.deep.equal({ name: 'InvalidImageFormatException', message: 'bad format' });
    rekognition.on(DetectFacesCommand).rejects(awsError('ThrottlingException'));
    await expectRejection(adapter.countFaces(image), TransientError, /DetectFaces failed transiently/);
  });

  it('refusals are the Rekognition errors that can never succeed', () => {
    expect([...REFUSAL_ERROR_NAMES]).to.have.members([
      'InvalidImageFormatException',
      'ImageTooLargeException',
      'InvalidParameterException',
    ]);
    expect(REFUSAL_ERROR_NAMES.has('ThrottlingException')).to.equal(false);
  });

  describe('toStoredLabels', () => {
    it('keeps name, rounded confidence, parents, categories and instance boxes', () => {
      expect(
        toStoredLabels({
          Labels: [
            {
              Name: 'Dog',
              Confidence: 97.123456,
              Parents: [{ Name: 'Animal' }, { Name: 'Pet' }, {}],
              Categories: [{ Name: 'Animals and Pets' }],
              Aliases: [{ Name: 'Puppy' }],
              Instances: [
                { BoundingBox: { Width: 0.123456, Height: 0.5, Left: 0.25, Top: 0.333333 }, Confidence: 97.129 },
                { Confidence: 50 },
              ],
            },
          ],
        }),
      ).to.deep.equal([
        {
          name: 'Dog',
          confidence: 97.12,
          parents: ['Animal', 'Pet'],
          categories: ['Animals and Pets'],
          instances: [{ boundingBox: { width: 0.1235, height: 0.5, left: 0.25, top: 0.3333 }, confidence: 97.13 }],
        },
      ]);
    });

    it('drops unnamed labels and empty lists, and answers [] for no labels', () => {
      expect(toStoredLabels({ Labels: [{ Confidence: 90 }, { Name: 'Sky' }] })).to.deep.equal([
        { name: 'Sky', confidence: 0, parents: [] },
      ]);
      expect(toStoredLabels({})).to.deep.equal([]);
    });
  });
});
