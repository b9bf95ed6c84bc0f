import { expect } from 'chai';
import {
  DetectLabelsCommand,
  ImageTooLargeException,
  InvalidImageFormatException,
  InvalidParameterException,
} from '@aws-sdk/client-rekognition';
import { handler } from '../../../functions/detect-labels';
import { InvalidConfiguration, InvalidEvent, TransientError } from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('DetectLabels handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string; versionId: string }; metadata: Record<string, unknown> }>(
    'detect-labels.json',
  );
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('calls DetectLabels on the S3 object with the template limits and keeps name, confidence, parents, categories and boxes', async () => {
    const outcome = await handler(event);
    expect(aws.rekognition.commandCalls(DetectLabelsCommand).map((call) => call.args[0].input)).to.deep.equal([
      {
        Image: { S3Object: { Bucket: 'photorepo', Name: event.upload.key, Version: event.upload.versionId } },
        MaxLabels: 20,
        MinConfidence: 70,
      },
    ]);
    expect(outcome).to.deep.equal({
      labels: [
        { name: 'Outdoors', confidence: 98.21, parents: [], categories: ['Nature and Outdoors'] },
        {
          name: 'Castle',
          confidence: 81.46,
          parents: ['Building', 'Architecture'],
          instances: [{ boundingBox: { width: 0.42, height: 0.51, left: 0.31, top: 0.12 }, confidence: 81.46 }],
        },
      ],
    });
  });

  it('reads MaxLabels and MinConfidence from LABELS_MAX_COUNT and LABELS_MIN_CONFIDENCE', async () => {
    await withEnv({ LABELS_MAX_COUNT: '5', LABELS_MIN_CONFIDENCE: '92.5' }, () => handler(event));
    expect(aws.rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input).to.include({
      MaxLabels: 5,
      MinConfidence: 92.5,
    });
    await withEnv({ LABELS_MIN_CONFIDENCE: '101' }, () =>
      expectRejection(handler(event), InvalidConfiguration, /LABELS_MIN_CONFIDENCE must be a number from 0 to 100/),
    );
    await withEnv({ LABELS_MAX_COUNT: '2.5' }, () =>
      expectRejection(handler(event), InvalidConfiguration, /LABELS_MAX_COUNT must be a positive integer/),
    );
  });

  for (const Refusal of [InvalidImageFormatException, ImageTooLargeException, InvalidParameterException]) {
    it(`records Rekognition's ${Refusal.name} as a refusal, not an error`, async () => {
      aws.rekognition
        .on(DetectLabelsCommand)
        .rejects(new Refusal({ message: 'refused (test)', $metadata: { httpStatusCode: 400 } }));
      expect(await handler(event)).to.deep.equal({ refused: { name: Refusal.name, message: 'refused (test)' } });
    });
  }

  it('refuses up front, without calling Rekognition, what is over 15 MB or 10,000 px on a side', async () => {
    const large = await handler({ ...event, metadata: { ...event.metadata, sizeBytes: 15 * 1024 * 1024 + 1 } });
    expect(large).to.have.nested.property('refused.name', 'ImageTooLargeException');
    const wide = await handler({ ...event, metadata: { ...event.metadata, width: 10_001 } });
    expect(wide)
      .to.have.nested.property('refused.message')
      .that.matches(/10001 px on a side/);
    expect(aws.rekognition.calls()).to.deep.equal([]);
  });

  it("reads a converted upload's JPEG rendition, and judges Rekognition's limits by the rendition, not the original", async () => {
    const converted = eventFixture<{
      metadata: { rendition: { key: string; versionId: string } } & Record<string, unknown>;
    }>('generate-thumbnail-converted.json');
    await handler({ ...converted, metadata: { ...converted.metadata, sizeBytes: 40 * 1024 * 1024, width: 12_000 } });
    expect(aws.rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input.Image).to.deep.equal({
      S3Object: {
        Bucket: 'photorepo',
        Name: converted.metadata.rendition.key,
        Version: converted.metadata.rendition.versionId,
      },
    });
  });

  it('throws TransientError when Rekognition throttles, and rethrows AccessDeniedException unchanged', async () => {
    aws.rekognition.on(DetectLabelsCommand).rejects(awsError('ProvisionedThroughputExceededException', 400));
    await expectRejection(handler(event), TransientError, /DetectLabels failed transiently/);
    aws.rekognition.on(DetectLabelsCommand).rejects(awsError('AccessDeniedException', 403));
    const error = await expectRejection(handler(event), Error);
    expect(error.name).to.equal('AccessDeniedException');
  });

  it('throws InvalidEvent without metadata', async () => {
    await expectRejection(handler({ ...event, metadata: 'JPEG' }), InvalidEvent);
  });
});
