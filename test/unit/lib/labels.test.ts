import { expect } from 'chai';
import {
  REFUSAL_ERROR_NAMES,
  REKOGNITION_MAX_BYTES,
  refusalBeforeCall,
  toStoredLabels,
} from '../../../functions/lib/labels';

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
