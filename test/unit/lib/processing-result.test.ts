import { expect } from 'chai';
import { resultFields, type ProcessedResults } from '../../../functions/lib/processing-result';

/** What CompleteProcessing writes from the ProcessImage results, whatever each branch answered. */
describe('resultFields', () => {
  const thumbnail = {
    key: 'private/u/resized/a/p.jpg',
    width: 250,
    height: 188,
    format: 'JPEG' as const,
    sizeBytes: 9,
  };
  const found: ProcessedResults = {
    labels: { labels: [{ name: 'Castle', confidence: 81.46, parents: [] }] },
    thumbnail,
    faces: { faces: { count: 0, detected: false, details: [] } },
    moderation: { moderation: { labels: [], flagged: false } },
  };
  const runtimeCause = (errorType: string, errorMessage: string) =>
    JSON.stringify({ errorType, errorMessage, trace: [] });

  it('keeps each result as its item field, faces count 0 included', () => {
    expect(resultFields(found)).to.deep.equal({
      labels: [{ name: 'Castle', confidence: 81.46, parents: [] }],
      faces: { count: 0, detected: false, details: [] },
      moderation: { labels: [], flagged: false },
      thumbnail,
    });
  });

  it("turns a refusal into the field error under Rekognition's name, and a failed branch into one naming its step", () => {
    const refused = { name: 'ImageTooLargeException', message: 'too large' };
    const fields = resultFields({
      labels: { refused },
      thumbnail,
      faces: { failed: { Error: 'TransientError', Cause: runtimeCause('TransientError', 'DetectFaces failed') } },
      moderation: { failed: { Error: 'States.Timeout' } },
    });
    expect(fields).to.deep.equal({
      labels: [],
      labelsError: refused,
      facesError: { name: 'TransientError', message: 'DetectFaces failed', state: 'DetectFaces' },
      moderationError: { name: 'States.Timeout', message: '', state: 'DetectModerationLabels' },
      thumbnail,
    });
  });

  it('leaves faces and moderation absent when their step was off: absent means not checked', () => {
    const fields = resultFields({ ...found, faces: { skipped: 'disabled' }, moderation: { skipped: 'disabled' } });
    expect(fields).to.have.all.keys('labels', 'thumbnail');
  });
});
