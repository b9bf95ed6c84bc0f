import { readdirSync } from 'node:fs';
import type { DetectModerationLabelsResponse } from '@aws-sdk/client-rekognition';
import { expect } from 'chai';
import sharp from 'sharp';
import {
  contentTypesOf,
  DEFAULT_MODERATION_MIN_CONFIDENCE,
  moderationLabelsOf,
  toDetectModerationLabelsResponse,
} from '../../../local/recognition/moderation-labels';
import type { NsfwScores } from '../../../local/recognition/moderation-model';
import { FIXTURES } from './photos';
import { MODEL_TIMEOUT_MS, s3Image, sharedService } from './shared-service';

const scores = (partial: Partial<NsfwScores>): NsfwScores => ({
  Drawing: 0,
  Hentai: 0,
  Neutral: 0,
  Porn: 0,
  Sexy: 0,
  ...partial,
});

describe('moderation mapping: nsfwjs classes onto Rekognition taxonomy v7', () => {
  it('maps Porn to Explicit (L1) and Explicit Nudity (L2, parent Explicit), parent first', () => {
    const labels = moderationLabelsOf(scores({ Porn: 0.9, Neutral: 0.1 }));
    expect(labels.slice(0, 2)).to.deep.equal([
      { Name: 'Explicit', ParentName: '', TaxonomyLevel: 1, Confidence: 90 },
      { Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2, Confidence: 90 },
    ]);
  });

  it('adds Hentai to Porn for Explicit (the classes exclude each other) and to Drawing for Illustrated', () => {
    const answer = toDetectModerationLabelsResponse(scores({ Porn: 0.3, Hentai: 0.35, Drawing: 0.25 }), 50, 'v');
    expect(answer.ModerationLabels?.map((label) => [label.Name, Math.round(label.Confidence ?? 0)])).to.deep.equal([
      ['Explicit', 65],
      ['Explicit Nudity', 65],
    ]);
    expect(answer.ContentTypes).to.deep.equal([{ Name: 'Illustrated', Confidence: 60 }]);
  });

  it('maps Sexy to Swimwear or Underwear at the top level, without a level 2 it cannot tell', () => {
    const labels = moderationLabelsOf(scores({ Sexy: 0.8, Neutral: 0.2 }));
    expect(labels[0]).to.deep.equal({
      Name: 'Swimwear or Underwear',
      ParentName: '',
      TaxonomyLevel: 1,
      Confidence: 80,
    });
  });

  it('keeps only labels and content types at or above MinConfidence; a Neutral photo has none', () => {
    const neutral = toDetectModerationLabelsResponse(scores({ Neutral: 0.97, Sexy: 0.02, Porn: 0.01 }), 50, 'v');
    expect(neutral).to.deep.equal({ ModerationLabels: [], ModerationModelVersion: 'v', ContentTypes: [] });
    const edge = toDetectModerationLabelsResponse(scores({ Sexy: 0.5, Neutral: 0.5 }), 50, 'v');
    expect(edge.ModerationLabels?.map((label) => label.Name)).to.deep.equal(['Swimwear or Underwear']);
    expect(DEFAULT_MODERATION_MIN_CONFIDENCE).to.equal(50);
  });

  it('never reports a confidence above 100 when float sums overshoot', () => {
    const [explicit] = moderationLabelsOf(scores({ Porn: 0.6000001, Hentai: 0.4000001 }));
    expect(explicit?.Confidence).to.equal(100);
    expect(contentTypesOf(scores({ Drawing: 1, Hentai: 0.001 }))[0]?.Confidence).to.equal(100);
  });
});

const photos = readdirSync(FIXTURES).filter((name) => /\.(jpe?g|png)$/.test(name) && !name.includes('tiny'));

describe('DetectModerationLabels on the local model', function () {
  this.timeout(MODEL_TIMEOUT_MS);
  const service = sharedService();
  const moderate = async (image: object, extra: object = {}) => {
    const answer = await service.handle('RekognitionService.DetectModerationLabels', { Image: image, ...extra });
    return answer;
  };
  const body = (answer: { status: number; body: unknown }) => {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return answer.body as DetectModerationLabelsResponse;
  };

  for (const photo of photos) {
    it(`flags nothing in ${photo}`, async () => {
      const answer = body(await moderate(s3Image(photo)));
      expect(answer.ModerationLabels).to.deep.equal([]);
      expect(answer.ModerationModelVersion).to.equal('local-nsfwjs-4.4.0-mobilenet_v2');
    });
  }

  it('answers every label with its level and parent at MinConfidence 0, each under 10 on a photo of a cat', async () => {
    const labels = body(await moderate(s3Image('skimage_chelsea-cat.png'), { MinConfidence: 0 })).ModerationLabels;
    expect(labels?.map((label) => label.Name)).to.have.members([
      'Explicit',
      'Explicit Nudity',
      'Swimwear or Underwear',
    ]);
    for (const label of labels ?? []) expect(label.Confidence).to.be.within(0, 10);
  });

  it('sees a flat colour field as an illustration, not as a photo', async () => {
    const flat = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#e0ac8c' } })
      .png()
      .toBuffer();
    const answer = body(await moderate({ Bytes: flat.toString('base64') }));
    expect(answer.ModerationLabels).to.deep.equal([]);
    expect(answer.ContentTypes?.[0]?.Name).to.equal('Illustrated');
    expect(answer.ContentTypes?.[0]?.Confidence).to.be.greaterThan(50);
  });

  it('refuses a MinConfidence out of range, a missing Image and an unknown adapter as Rekognition does', async () => {
    const typeOf = (answer: { body: unknown }) => (answer.body as { __type: string }).__type;
    expect(typeOf(await moderate(s3Image('skimage_coffee.png'), { MinConfidence: 101 }))).to.equal(
      'ValidationException',
    );
    expect(typeOf(await service.handle('RekognitionService.DetectModerationLabels', {}))).to.equal(
      'ValidationException',
    );
    const adapter = 'arn:aws:rekognition:us-east-1:000000000000:project/none/version/none/1';
    expect(typeOf(await moderate(s3Image('skimage_coffee.png'), { ProjectVersion: adapter }))).to.equal(
      'ResourceNotFoundException',
    );
    expect(typeOf(await moderate(s3Image('no-such-photo.jpg')))).to.equal('InvalidS3ObjectException');
  });
});
