import { expect } from 'chai';
import { DetectModerationLabelsCommand, ImageTooLargeException } from '@aws-sdk/client-rekognition';
import { handler } from '../../../functions/detect-moderation-labels';
import { InvalidConfiguration, TransientError } from '../../../functions/lib/errors';
import { AwsMocks, awsError, eventFixture } from '../../support/aws-mocks';
import { expectRejection, withEnv } from '../../support/helpers';

describe('DetectModerationLabels handler', () => {
  let aws: AwsMocks;
  const event = eventFixture<{ upload: { key: string; versionId: string } }>('detect-moderation-labels.json');
  before(() => {
    aws = new AwsMocks();
  });
  beforeEach(() => aws.reset());
  after(() => aws.restore());

  it('flagged: asks at MODERATION_MIN_CONFIDENCE (60 by default) and flags a photo with a label at or above it', async () => {
    aws.rekognition.on(DetectModerationLabelsCommand).resolves({
      ModerationLabels: [
        { Name: 'Explicit', ParentName: '', Confidence: 98.1, TaxonomyLevel: 1 },
        { Name: 'Explicit Nudity', ParentName: 'Explicit', Confidence: 97.234, TaxonomyLevel: 2 },
      ],
    });
    expect(await handler(event)).to.deep.equal({
      moderation: {
        labels: [
          { name: 'Explicit', parentName: '', confidence: 98.1 },
          { name: 'Explicit Nudity', parentName: 'Explicit', confidence: 97.23 },
        ],
        flagged: true,
      },
    });
    expect(aws.rekognition.commandCalls(DetectModerationLabelsCommand)[0]?.args[0].input).to.deep.equal({
      Image: { S3Object: { Bucket: 'photorepo', Name: event.upload.key, Version: event.upload.versionId } },
      MinConfidence: 60,
    });
  });

  it('not flagged: no label at that confidence', async () => {
    aws.rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] });
    expect(await withEnv({ MODERATION_MIN_CONFIDENCE: '85' }, () => handler(event))).to.deep.equal({
      moderation: { labels: [], flagged: false },
    });
    expect(aws.rekognition.commandCalls(DetectModerationLabelsCommand)[0]?.args[0].input.MinConfidence).to.equal(85);
  });

  it('refused, off, misconfigured and throttled', async () => {
    aws.rekognition
      .on(DetectModerationLabelsCommand)
      .rejects(new ImageTooLargeException({ message: 'Image size is too large', $metadata: {} }));
    expect(await handler(event)).to.have.nested.property('refused.name', 'ImageTooLargeException');
    aws.rekognition.resetHistory();
    expect(await withEnv({ DETECT_MODERATION: 'false' }, () => handler(event))).to.deep.equal({ skipped: 'disabled' });
    expect(aws.rekognition.calls()).to.deep.equal([]);
    await withEnv({ MODERATION_MIN_CONFIDENCE: '120' }, () =>
      expectRejection(handler(event), InvalidConfiguration, /MODERATION_MIN_CONFIDENCE must be a number from 0 to 100/),
    );
    aws.rekognition.on(DetectModerationLabelsCommand).rejects(awsError('InternalServerError', 500));
    await expectRejection(handler(event), TransientError, /DetectModerationLabels failed transiently/);
  });
});
