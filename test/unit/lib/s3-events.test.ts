import { expect } from 'chai';
import { InvalidEvent } from '../../../functions/lib/errors';
import { objectsCreatedIn, objectsDeletedIn } from '../../../functions/lib/s3-events';
import { eventFixture } from '../../support/aws-mocks';

describe('S3 object-deleted events', () => {
  it('reads the EventBridge "Object Deleted" event: bucket, decoded key, sequencer, time', () => {
    expect(objectsDeletedIn(eventFixture('eventbridge-object-deleted.json'))).to.deep.equal([
      {
        bucket: 'photorepo',
        key: 'private/us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11/uploads/holidays/nikon-p6000_landscape_gps.jpg',
        sequencer: '0065A1B2C3D4E5F801',
        eventTime: '2026-11-22T10:30:00Z',
      },
    ]);
  });

  it('decodes the key once, as for creates (%20 is a space, + is a plus)', () => {
    const event = eventFixture<{ detail: { object: { key: string } } }>('eventbridge-object-deleted.json');
    event.detail.object.key = 'private/u/uploads/%C3%A9t%C3%A9%202026/my%20photo+1.jpg';
    expect(objectsDeletedIn(event)[0]?.key).to.equal('private/u/uploads/été 2026/my photo+1.jpg');
  });

  it('reads the ObjectRemoved records of a classic notification (form-encoded keys) and skips the others', () => {
    const put = eventFixture<{ Records: Record<string, any>[] }>('s3-notification-put.json');
    const removed = { ...structuredClone(put.Records[0]), eventName: 'ObjectRemoved:DeleteMarkerCreated' };
    const deletedEvents = objectsDeletedIn({ Records: [put.Records[0], removed] });
    expect(deletedEvents.map((d) => d.key)).to.deep.equal([
      'private/us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11/uploads/my photo+1 (100%).jpg',
    ]);
  });

  it('does not take one kind of event for the other', () => {
    expect(() => objectsDeletedIn(eventFixture('eventbridge-object-created.json'))).to.throw(
      InvalidEvent,
      /Object Deleted/,
    );
    expect(() => objectsCreatedIn(eventFixture('eventbridge-object-deleted.json'))).to.throw(
      InvalidEvent,
      /Object Created/,
    );
  });
});
