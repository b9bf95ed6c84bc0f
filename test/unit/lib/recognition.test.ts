import { expect } from 'chai';
import type { AnalysedImage } from '../../../functions/lib/analysed-image';
import { InvalidConfiguration } from '../../../functions/lib/errors';
import { detectFaces, facesRecord, MAX_FACE_DETAILS } from '../../../functions/lib/faces';
import type { FaceDetail } from '../../../functions/lib/image-item';
import { detectLabels, type LabelSettings } from '../../../functions/lib/labels';
import { logger } from '../../../functions/lib/logger';
import { detectModeration, moderationRecord } from '../../../functions/lib/moderation';
import { ImageRefused, REKOGNITION_MAX_BYTES, refusalBeforeCall } from '../../../functions/lib/recognition';
import { FakeRecognition, transient } from '../../support/fakes';
import { expectRejection } from '../../support/helpers';

/** The recognition steps' core (DetectLabels, DetectFaces, DetectModerationLabels) over a fake ImageRecognition. */
describe('recognition', () => {
  const image: AnalysedImage = {
    bucket: 'photorepo',
    key: 'private/u/uploads/a/photo.jpg',
    format: 'JPEG',
    sizeBytes: 1000,
    width: 640,
    height: 480,
  };
  const tooWide = { ...image, width: 10_001 };
  let recognition: FakeRecognition;
  let reads: string[];
  const service = () => recognition;
  const refusal = () => new ImageRefused({ name: 'InvalidImageFormatException', message: 'bad' });
  const denied = () => Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
  before(() => logger.setLogLevel('SILENT'));
  after(() => logger.setLogLevel('INFO'));
  beforeEach(() => {
    recognition = new FakeRecognition();
    reads = [];
  });

  describe('refusalBeforeCall: what Rekognition would refuse from S3', () => {
    it('accepts up to 15 MB and 10,000 px on a side', () => {
      expect(refusalBeforeCall({ sizeBytes: REKOGNITION_MAX_BYTES, width: 10_000, height: 10_000 })).to.equal(
        undefined,
      );
      expect(refusalBeforeCall({ sizeBytes: 1 })).to.equal(undefined);
    });

    it('refuses one byte or one pixel more with ImageTooLargeException', () => {
      expect(refusalBeforeCall({ sizeBytes: REKOGNITION_MAX_BYTES + 1, width: 1, height: 1 })).to.deep.equal({
        name: 'ImageTooLargeException',
        message: `Image is ${REKOGNITION_MAX_BYTES + 1} bytes; Rekognition accepts at most 15 MB from S3`,
      });
      expect(refusalBeforeCall({ sizeBytes: 1, width: 100, height: 10_001 })?.message).to.equal(
        'Image is 10001 px on a side; Rekognition accepts at most 10,000',
      );
    });
  });

  describe('detectLabels', () => {
    const settings = (maxLabels = 20): LabelSettings => ({
      maxLabels: () => (reads.push('maxLabels'), maxLabels),
      minConfidence: () => (reads.push('minConfidence'), 70),
    });

    it('asks for labels with the settings, and only for labels', async () => {
      expect(await detectLabels(service, image, settings())).to.deep.equal({ labels: recognition.labels });
      expect(recognition.calls).to.deep.equal([`detectLabels ${image.key}`]);
      expect(recognition.limits).to.deep.equal([{ maxLabels: 20, minConfidence: 70 }]);
    });

    it('refuses up front, asking nothing and reading no setting, what is too large', async () => {
      const outcome = await detectLabels(service, tooWide, settings());
      expect(outcome).to.have.nested.property('refused.name', 'ImageTooLargeException');
      expect(recognition.calls).to.deep.equal([]);
      expect(reads).to.deep.equal([]);
    });

    it("records the service's refusal as the outcome, under the service's own error name", async () => {
      recognition.labelsError = refusal();
      expect(await detectLabels(service, image, settings())).to.deep.equal({
        refused: { name: 'InvalidImageFormatException', message: 'bad' },
      });
    });

    it('rethrows any other failure (the state machine retries or records it) and a bad setting as it is', async () => {
      recognition.labelsError = transient('DetectLabels');
      expect((await expectRejection(detectLabels(service, image, settings()), Error)).name).to.equal('TransientError');
      recognition.labelsError = undefined;
      const broken: LabelSettings = {
        ...settings(),
        maxLabels: () => {
          throw new InvalidConfiguration('LABELS_MAX_COUNT must be a positive integer');
        },
      };
      await expectRejection(detectLabels(service, image, broken), InvalidConfiguration);
    });
  });

  describe('detectFaces', () => {
    const on = { enabled: () => (reads.push('enabled'), true) };
    const face = (side: number, confidence = 99): FaceDetail => ({
      boundingBox: { width: side, height: side, left: 0.1, top: 0.1 },
      confidence,
    });

    it('present: counts every face, says detected, and keeps the details, the largest first', async () => {
      recognition.faces = [face(0.1), face(0.3, 98.5), face(0.2)];
      const outcome = await detectFaces(service, image, on);
      expect(outcome).to.deep.equal({
        faces: { count: 3, detected: true, details: [face(0.3, 98.5), face(0.2), face(0.1)] },
      });
      expect(recognition.calls).to.deep.equal([`detectFaces ${image.key}`]);
    });

    it('absent: count 0 and detected false, so a photo without faces is told from one not checked', async () => {
      expect(await detectFaces(service, image, on)).to.deep.equal({
        faces: { count: 0, detected: false, details: [] },
      });
    });

    it(`keeps at most ${MAX_FACE_DETAILS} details, while count counts them all`, () => {
      const crowd = Array.from({ length: 45 }, (_, index) => face(0.001 * (index + 1)));
      const record = facesRecord(crowd);
      expect(record.count).to.equal(45);
      expect(record.details).to.have.lengthOf(MAX_FACE_DETAILS);
      expect(record.details[0]?.boundingBox.width).to.equal(0.045);
    });

    it('refused: the refusal is the outcome; too large is refused without asking', async () => {
      recognition.facesError = refusal();
      expect(await detectFaces(service, image, on)).to.deep.equal({
        refused: { name: 'InvalidImageFormatException', message: 'bad' },
      });
      recognition.calls.length = 0;
      expect(await detectFaces(service, tooWide, on)).to.have.nested.property('refused.name', 'ImageTooLargeException');
      expect(recognition.calls).to.deep.equal([]);
    });

    it('off: skipped without calling the service; a permanent failure is thrown for the branch to record', async () => {
      expect(await detectFaces(service, image, { enabled: () => false })).to.deep.equal({ skipped: 'disabled' });
      expect(recognition.calls).to.deep.equal([]);
      recognition.facesError = denied();
      expect((await expectRejection(detectFaces(service, image, on), Error)).name).to.equal('AccessDeniedException');
    });
  });

  describe('detectModeration', () => {
    const settings = (minConfidence = 60) => ({ enabled: () => true, minConfidence: () => minConfidence });
    const explicit = { name: 'Explicit Nudity', parentName: 'Explicit', confidence: 97.2 };
    const swimwear = { name: 'Swimwear or Underwear', parentName: '', confidence: 61.3 };

    it('flagged: a label at or above the minimum confidence flags the photo; the service is asked with that minimum', async () => {
      recognition.moderation = [swimwear, explicit];
      expect(await detectModeration(service, image, settings())).to.deep.equal({
        moderation: { labels: [explicit, swimwear], flagged: true },
      });
      expect(recognition.limits).to.deep.equal([60]);
    });

    it('not flagged: no label, or only labels below the minimum (a service answering more cannot flag)', async () => {
      expect(await detectModeration(service, image, settings())).to.deep.equal({
        moderation: { labels: [], flagged: false },
      });
      expect(moderationRecord([swimwear], 61.3).flagged, 'at the minimum').to.equal(true);
      expect(moderationRecord([swimwear], 61.31)).to.deep.equal({ labels: [], flagged: false });
    });

    it('off, refused and failing as DetectFaces', async () => {
      const off = { enabled: () => false, minConfidence: () => (reads.push('minConfidence'), 60) };
      expect(await detectModeration(service, image, off)).to.deep.equal({ skipped: 'disabled' });
      expect(reads).to.deep.equal([]);
      recognition.moderationError = refusal();
      expect(await detectModeration(service, image, settings())).to.have.nested.property(
        'refused.name',
        'InvalidImageFormatException',
      );
      recognition.moderationError = transient('DetectModerationLabels');
      expect((await expectRejection(detectModeration(service, image, settings()), Error)).name).to.equal(
        'TransientError',
      );
    });
  });
});
