import { expect } from 'chai';
import { DetectFacesCommand, InvalidImageFormatException } from '@aws-sdk/client-rekognition';
import { handler } from '../../../functions/detect-faces';
import { InvalidConfiguration, InvalidEvent, TransientError } from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('DetectFaces handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string; versionId: string }; metadata: Record<string, unknown> }>(
    'detect-faces.json',
  );
  const converted = eventFixture<{ metadata: { rendition: { key: string; versionId: string } } }>(
    'generate-thumbnail-converted.json',
  );
  const face = (left: number, extra: Record<string, unknown> = {}) => ({
    BoundingBox: { Width: 0.1, Height: 0.15, Left: left, Top: 0.2 },
    Confidence: 99.9,
    ...extra,
  });
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('present: the count, detected, and each face with its box, age range, top emotion, smile and eyes open', async () => {
    aws.rekognition.on(DetectFacesCommand).resolves({
      FaceDetails: [
        face(0.2, {
          AgeRange: { Low: 26, High: 34 },
          Emotions: [
            { Type: 'CALM', Confidence: 7 },
            { Type: 'HAPPY', Confidence: 92.4 },
          ],
          Smile: { Value: true, Confidence: 95.12 },
          EyesOpen: { Value: true, Confidence: 98.7 },
        }),
        face(0.6),
      ],
    });
    const outcome = await handler(event);
    expect(aws.rekognition.commandCalls(DetectFacesCommand).map((call) => call.args[0].input)).to.deep.equal([
      {
        Image: { S3Object: { Bucket: 'photorepo', Name: event.upload.key, Version: event.upload.versionId } },
        Attributes: ['AGE_RANGE', 'EMOTIONS', 'SMILE', 'EYES_OPEN'],
      },
    ]);
    expect(outcome).to.deep.equal({
      faces: {
        count: 2,
        detected: true,
        details: [
          {
            boundingBox: { width: 0.1, height: 0.15, left: 0.2, top: 0.2 },
            confidence: 99.9,
            ageRange: { low: 26, high: 34 },
            emotion: { type: 'HAPPY', confidence: 92.4 },
            smile: { value: true, confidence: 95.12 },
            eyesOpen: { value: true, confidence: 98.7 },
          },
          { boundingBox: { width: 0.1, height: 0.15, left: 0.6, top: 0.2 }, confidence: 99.9 },
        ],
      },
    });
  });

  it('absent: count 0, detected false', async () => {
    aws.rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] });
    expect(await handler(event)).to.deep.equal({ faces: { count: 0, detected: false, details: [] } });
  });

  it("refused: Rekognition's refusal is the outcome, not an error", async () => {
    aws.rekognition
      .on(DetectFacesCommand)
      .rejects(new InvalidImageFormatException({ message: 'Request has invalid image format', $metadata: {} }));
    expect(await handler(event)).to.deep.equal({
      refused: { name: 'InvalidImageFormatException', message: 'Request has invalid image format' },
    });
  });

  it('reads the JPEG rendition of a converted upload', async () => {
    aws.rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] });
    await handler(converted);
    expect(aws.rekognition.commandCalls(DetectFacesCommand)[0]?.args[0].input.Image).to.deep.equal({
      S3Object: {
        Bucket: 'photorepo',
        Name: converted.metadata.rendition.key,
        Version: converted.metadata.rendition.versionId,
      },
    });
  });

  it('off (DETECT_FACES false): skipped, Rekognition never called; a malformed flag is InvalidConfiguration', async () => {
    expect(await withEnv({ DETECT_FACES: 'false' }, () => handler(event))).to.deep.equal({ skipped: 'disabled' });
    expect(aws.rekognition.calls()).to.deep.equal([]);
    await withEnv({ DETECT_FACES: 'maybe' }, () =>
      expectRejection(handler(event), InvalidConfiguration, /DETECT_FACES must be true or false/),
    );
  });

  it('throws TransientError when Rekognition throttles, AccessDeniedException as it is, InvalidEvent without metadata', async () => {
    aws.rekognition.on(DetectFacesCommand).rejects(awsError('ThrottlingException'));
    await expectRejection(handler(event), TransientError, /DetectFaces failed transiently/);
    aws.rekognition.on(DetectFacesCommand).rejects(awsError('AccessDeniedException', 403));
    expect((await expectRejection(handler(event), Error)).name).to.equal('AccessDeniedException');
    await expectRejection(handler({ ...event, metadata: null }), InvalidEvent);
  });
});
