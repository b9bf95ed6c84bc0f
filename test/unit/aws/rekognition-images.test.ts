import { expect } from 'chai';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  FACE_ATTRIBUTES,
  REFUSAL_ERROR_NAMES,
  RekognitionImages,
  toFaceDetails,
  toModerationLabels,
  toStoredLabels,
} from '../../../functions/lib/aws/rekognition-images';
import { TransientError } from '../../../functions/lib/errors';
import { ImageRefused } from '../../../functions/lib/recognition';
import { awsError } from '../../support/aws-mocks';
import { expectRejection } from '../../support/helpers';

describe('RekognitionImages (the ImageRecognition adapter)', () => {
  let rekognition: AwsClientStub<RekognitionClient>;
  const adapter = new RekognitionImages(new RekognitionClient({ region: 'us-east-1' }));
  const image = { bucket: 'photorepo', key: 'private/u/uploads/a/photo.jpg' };
  const s3Object = { S3Object: { Bucket: 'photorepo', Name: image.key } };
  before(() => {
    rekognition = mockClient(RekognitionClient);
  });
  beforeEach(() => rekognition.reset());
  after(() => rekognition.restore());

  it('sends DetectLabels, DetectFaces (with the attributes the item keeps) and DetectModerationLabels on the S3 object', async () => {
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'Sky', Confidence: 99.123 }] });
    rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [{ BoundingBox: { Width: 0.1 } }] });
    rekognition
      .on(DetectModerationLabelsCommand)
      .resolves({ ModerationLabels: [{ Name: 'Violence', ParentName: '', Confidence: 80 }] });
    expect(await adapter.detectLabels(image, { maxLabels: 7, minConfidence: 55.5 })).to.deep.equal([
      { name: 'Sky', confidence: 99.12, parents: [] },
    ]);
    expect(await adapter.detectFaces(image)).to.have.lengthOf(1);
    expect(await adapter.detectModerationLabels(image, 65)).to.deep.equal([
      { name: 'Violence', parentName: '', confidence: 80 },
    ]);
    expect(rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input).to.deep.equal({
      Image: s3Object,
      MaxLabels: 7,
      MinConfidence: 55.5,
    });
    expect(rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input).to.deep.equal({
      Image: s3Object,
      Attributes: ['AGE_RANGE', 'EMOTIONS', 'SMILE', 'EYES_OPEN'],
    });
    expect(rekognition.commandCalls(DetectModerationLabelsCommand)[0]?.args[0].input).to.deep.equal({
      Image: s3Object,
      MinConfidence: 65,
    });
    expect([...FACE_ATTRIBUTES]).to.not.include('ALL');
  });

  it('names the S3 version to analyse (S3Object.Version) when the image reference pins one', async () => {
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [] });
    rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] });
    rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] });
    const pinned = { ...image, versionId: 'Lx8h3uM1q5Yz2QbVn0T7cW4kEj9RaXsD' };
    await adapter.detectLabels(pinned, { maxLabels: 1, minConfidence: 50 });
    await adapter.detectFaces(pinned);
    await adapter.detectModerationLabels(pinned, 50);
    const images = [DetectLabelsCommand, DetectFacesCommand, DetectModerationLabelsCommand].map(
      (command) => (rekognition.commandCalls(command)[0]?.args[0].input as { Image?: unknown }).Image,
    );
    const versioned = { S3Object: { Bucket: 'photorepo', Name: image.key, Version: pinned.versionId } };
    expect(images).to.deep.equal([versioned, versioned, versioned]);
  });

  it('turns a refusal of any of the three calls into ImageRefused, throttling into TransientError, and rethrows the rest', async () => {
    rekognition
      .on(DetectLabelsCommand)
      .rejects(new InvalidImageFormatException({ message: 'bad format', $metadata: { httpStatusCode: 400 } }));
    const refused = await expectRejection(
      adapter.detectLabels(image, { maxLabels: 1, minConfidence: 1 }),
      ImageRefused,
    );
    expect(refused.refusal).to.deep.equal({ name: 'InvalidImageFormatException', message: 'bad format' });
    rekognition
      .on(DetectFacesCommand)
      .rejects(new ImageTooLargeException({ message: 'too large', $metadata: { httpStatusCode: 400 } }));
    await expectRejection(adapter.detectFaces(image), ImageRefused, /too large/);
    rekognition.on(DetectModerationLabelsCommand).rejects(awsError('ThrottlingException'));
    await expectRejection(
      adapter.detectModerationLabels(image, 50),
      TransientError,
      /DetectModerationLabels failed transiently/,
    );
    rekognition.on(DetectFacesCommand).rejects(awsError('AccessDeniedException', 403));
    const denied = await expectRejection(adapter.detectFaces(image), Error);
    expect(denied.name).to.equal('AccessDeniedException');
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

  describe('toFaceDetails', () => {
    it('keeps box, confidence, age range, the most confident emotion, smile and eyes open, rounded', () => {
      expect(
        toFaceDetails({
          FaceDetails: [
            {
              BoundingBox: { Width: 0.123456, Height: 0.2, Left: 0.3, Top: 0.4 },
              Confidence: 99.98765,
              AgeRange: { Low: 25, High: 35 },
              Emotions: [{ Type: 'CALM', Confidence: 12.5 }, { Type: 'HAPPY', Confidence: 85.25 }, { Type: 'SAD' }],
              Smile: { Value: true, Confidence: 97.123 },
              EyesOpen: { Value: false, Confidence: 88.8 },
              Landmarks: [{ Type: 'eyeLeft', X: 0.3, Y: 0.4 }],
              Pose: { Roll: 1, Yaw: 2, Pitch: 3 },
            },
          ],
        }),
      ).to.deep.equal([
        {
          boundingBox: { width: 0.1235, height: 0.2, left: 0.3, top: 0.4 },
          confidence: 99.99,
          ageRange: { low: 25, high: 35 },
          emotion: { type: 'HAPPY', confidence: 85.25 },
          smile: { value: true, confidence: 97.12 },
          eyesOpen: { value: false, confidence: 88.8 },
        },
      ]);
    });

    it('leaves out what Rekognition did not give, and faces without a box', () => {
      expect(
        toFaceDetails({ FaceDetails: [{ BoundingBox: { Width: 0.5 }, Confidence: 90 }, { Confidence: 80 }] }),
      ).to.deep.equal([{ boundingBox: { width: 0.5, height: 0, left: 0, top: 0 }, confidence: 90 }]);
      expect(toFaceDetails({})).to.deep.equal([]);
    });
  });

  describe('toModerationLabels', () => {
    it("keeps name, parent ('' at the top of the taxonomy) and rounded confidence; drops unnamed labels", () => {
      expect(
        toModerationLabels({
          ModerationLabels: [
            { Name: 'Explicit Nudity', ParentName: 'Explicit', Confidence: 97.23456, TaxonomyLevel: 2 },
            { Name: 'Explicit', Confidence: 98 },
            { Confidence: 50 },
          ],
        }),
      ).to.deep.equal([
        { name: 'Explicit Nudity', parentName: 'Explicit', confidence: 97.23 },
        { name: 'Explicit', parentName: '', confidence: 98 },
      ]);
      expect(toModerationLabels({})).to.deep.equal([]);
    });
  });
});
