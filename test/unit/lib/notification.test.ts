import { expect } from 'chai';
import { MAX_SUBJECT, notificationFor, subjectFor, type OutcomeReport } from '../../../functions/lib/notification';
import { uploadFor } from '../../support/fixtures';

/** The message NotifyResult publishes: readable text, SNS's limits on subject and attributes, filterable attributes. */
describe('notificationFor', () => {
  const upload = uploadFor('IMG_0001.HEIC');
  const succeeded = (results: OutcomeReport['results']): OutcomeReport => ({ upload, status: 'SUCCEEDED', results });
  const attributes = (report: OutcomeReport) =>
    Object.fromEntries(Object.entries(notificationFor(report).attributes).map(([name, v]) => [name, v.StringValue]));
  const faces = (count: number) => ({ count, detected: count > 0, details: [] });
  const labels = [
    { name: 'Outdoors', confidence: 98.21, parents: [] },
    { name: 'Person', confidence: 99.12, parents: [] },
    { name: 'Castle', confidence: 81.46, parents: ['Building'] },
  ];

  it('SUCCEEDED: file, album, outcome, "Face Detected", the top labels by confidence, not flagged', () => {
    const { subject, message } = notificationFor(
      succeeded({ labels, faces: faces(3), moderation: { labels: [], flagged: false } }),
    );
    expect(subject).to.equal('Photo processed: IMG_0001.HEIC');
    expect(message.split('\n')).to.deep.equal([
      'File: IMG_0001.HEIC',
      'Album: holidays',
      'Outcome: SUCCEEDED',
      'Faces: Face Detected (3 faces)',
      'Labels: Person 99.1 %, Outdoors 98.2 %, Castle 81.5 %',
      'Moderation: not flagged',
    ]);
  });

  it('"No Face Detected", flagged with its labels, and what was not checked and why', () => {
    const flagged = { labels: [{ name: 'Violence', parentName: '', confidence: 91.04 }], flagged: true };
    expect(notificationFor(succeeded({ labels: [], faces: faces(0), moderation: flagged })).message).to.include(
      'Faces: No Face Detected\nLabels: none found\nModeration: FLAGGED (Violence 91.0 %)',
    );
    const refused = { name: 'InvalidImageFormatException', message: 'Request has invalid image format' };
    expect(
      notificationFor(succeeded({ labels: [], labelsError: refused, facesError: { ...refused, state: 'DetectFaces' } }))
        .message,
    ).to.include(
      [
        'Faces: not checked (InvalidImageFormatException: Request has invalid image format)',
        'Labels: not checked (InvalidImageFormatException: Request has invalid image format)',
        'Moderation: not checked (moderation is off)',
      ].join('\n'),
    );
  });

  it('UNSUPPORTED and FAILED: the reason, and the state that failed', () => {
    const unsupported = notificationFor({
      upload,
      status: 'UNSUPPORTED',
      error: { name: 'NotSupportedImageType', message: 'Image format GIF is not supported', state: 'ImageTypeCheck' },
    });
    expect(unsupported.subject).to.equal('Photo not supported: IMG_0001.HEIC');
    expect(unsupported.message).to.equal(
      'File: IMG_0001.HEIC\nAlbum: holidays\nOutcome: UNSUPPORTED in ImageTypeCheck: NotSupportedImageType: Image format GIF is not supported',
    );
    const failed = notificationFor({
      upload,
      status: 'FAILED',
      error: { name: 'CorruptImage', message: 'cut\nshort', state: 'ConvertImage' },
    });
    expect(failed.subject).to.equal('Photo processing failed: IMG_0001.HEIC');
    expect(failed.message.split('\n').at(-1)).to.equal('Outcome: FAILED in ConvertImage: CorruptImage: cut?short');
  });

  it('attributes: status, userId, albumId only when in an album, imageId, fileName, faceDetected and flagged', () => {
    expect(attributes(succeeded({ faces: faces(2), moderation: { labels: [], flagged: true } }))).to.deep.equal({
      status: 'SUCCEEDED',
      userId: upload.userId,
      albumId: 'holidays',
      imageId: upload.imageId,
      fileName: 'IMG_0001.HEIC',
      faceDetected: 'true',
      flagged: 'true',
    });
    const loose = uploadFor('x.jpg');
    const { albumId: _albumId, ...noAlbum } = loose;
    const report: OutcomeReport = { upload: noAlbum, status: 'FAILED', error: { name: 'E', message: 'm' } };
    expect(attributes(report)).to.not.have.property('albumId');
    expect(attributes(report)).to.include({ faceDetected: 'unknown', flagged: 'unknown' });
    expect(notificationFor(report).message).to.include('Album: (none)');
    for (const value of Object.values(notificationFor(report).attributes)) expect(value.DataType).to.equal('String');
  });

  it('a subject SNS accepts: printable ASCII under 100 characters, whatever the file name', () => {
    expect(subjectFor('Photo processed', 'été à Zürich 📷.heic')).to.equal('Photo processed: ?t? ? Z?rich ??.heic');
    const long = subjectFor('Photo processed', `${'x'.repeat(300)}.jpg`);
    expect(long).to.have.lengthOf(MAX_SUBJECT);
    expect(long).to.match(/^Photo processed: x+\.\.\.$/);
    expect(MAX_SUBJECT).to.be.below(100);
  });

  it('keeps unicode in the message and attributes, but no control characters; an empty value cannot happen', () => {
    const odd = { ...uploadFor('été\u0007.jpg') };
    const notification = notificationFor({ upload: odd, status: 'SUCCEEDED', results: {} });
    expect(notification.message).to.include('File: été?.jpg');
    expect(notification.attributes.fileName?.StringValue).to.equal('été?.jpg');
    for (const value of Object.values(notification.attributes)) expect(value.StringValue).to.not.equal('');
  });
});
