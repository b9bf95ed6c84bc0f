import { expect } from 'chai';
import { InvalidConfiguration } from '../../../functions/lib/errors';
import {
  detectLabels,
  REKOGNITION_MAX_BYTES,
  refusalBeforeCall,
  type LabelSettings,
} from '../../../functions/lib/labels';
import { logger } from '../../../functions/lib/logger';
import { ImageRefused } from '../../../functions/lib/recognition';
import { FakeRecognition, transient } from '../../support/fakes';
import { expectRejection } from '../../support/helpers';

describe('labels', () => {
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

  /** The DetectLabels step's core over a fake ImageRecognition: no SDK, no environment. */
  describe('detectLabels', () => {
    const image = { bucket: 'photorepo', key: 'private/u/uploads/a/photo.jpg' };
    const metadata = { sizeBytes: 1000, width: 640, height: 480 };
    let recognition: FakeRecognition;
    let reads: string[];
    const settings = (detectFaces = true, maxLabels = 20): LabelSettings => ({
      maxLabels: () => (reads.push('maxLabels'), maxLabels),
      minConfidence: () => (reads.push('minConfidence'), 70),
      detectFaces: () => (reads.push('detectFaces'), detectFaces),
    });
    before(() => logger.setLogLevel('SILENT'));
    after(() => logger.setLogLevel('INFO'));
    beforeEach(() => {
      recognition = new FakeRecognition();
      reads = [];
    });

    it('asks for labels with the settings and counts faces beside them', async () => {
      recognition.faces = 2;
      expect(await detectLabels(recognition, image, metadata, settings())).to.deep.equal({
        labels: recognition.labels,
        faceCount: 2,
      });
      expect(recognition.calls).to.deep.equal([`detectLabels ${image.key}`, `countFaces ${image.key}`]);
      expect(recognition.limits).to.deep.equal([{ maxLabels: 20, minConfidence: 70 }]);
    });

    it('leaves faceCount out when there are none or when faces are off, and then does not ask', async () => {
      expect(await detectLabels(recognition, image, metadata, settings())).to.deep.equal({
        labels: recognition.labels,
      });
      recognition.calls.length = 0;
      recognition.faces = 3;
      expect(await detectLabels(recognition, image, metadata, settings(false))).to.deep.equal({
        labels: recognition.labels,
      });
      expect(recognition.calls).to.deep.equal([`detectLabels ${image.key}`]);
    });

    it('refuses up front, asking nothing and reading no setting, what is too large', async () => {
      const outcome = await detectLabels(recognition, image, { ...metadata, width: 10_001 }, settings());
      expect(outcome).to.have.nested.property('refused.name', 'ImageTooLargeException');
      expect(recognition.calls).to.deep.equal([]);
      expect(reads).to.deep.equal([]);
    });

    it("records the service's refusal as the outcome, under the service's own error name", async () => {
      recognition.labelsError = new ImageRefused({ name: 'InvalidImageFormatException', message: 'bad' });
      expect(await detectLabels(recognition, image, metadata, settings())).to.deep.equal({
        refused: { name: 'InvalidImageFormatException', message: 'bad' },
      });
    });

    it('keeps the labels without a face count when counting faces fails for good, and fails when it is transient', async () => {
      recognition.facesError = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      expect(await detectLabels(recognition, image, metadata, settings())).to.deep.equal({
        labels: recognition.labels,
      });
      recognition.facesError = transient('DetectFaces');
      await expectRejection(detectLabels(recognition, image, metadata, settings()), Error, /DetectFaces/);
    });

    it('rethrows any other failure of the labels call, and a bad setting as it is', async () => {
      recognition.labelsError = transient('DetectLabels');
      const error = await expectRejection(detectLabels(recognition, image, metadata, settings()), Error);
      expect(error.name).to.equal('TransientError');
      recognition.labelsError = undefined;
      const broken: LabelSettings = {
        ...settings(),
        maxLabels: () => {
          throw new InvalidConfiguration('LABELS_MAX_COUNT must be a positive integer');
        },
      };
      await expectRejection(detectLabels(recognition, image, metadata, broken), InvalidConfiguration);
    });
  });
});
