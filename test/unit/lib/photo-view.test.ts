import { expect } from 'chai';
import type { ImageItem, Tombstone } from '../../../functions/lib/image-item';
import { executionConsoleUrl, ownPhoto, photoView } from '../../../functions/lib/photo-view';

export const photoItem: ImageItem & Record<string, unknown> = {
  imageId: 'zBD0AGt1F6SJQ8-DuHsAD6Sv5nm',
  bucket: 'photorepo',
  key: 'private/alice/uploads/holidays/a.jpg',
  userId: 'alice',
  albumId: 'holidays',
  albumKey: 'alice/holidays',
  fileName: 'a.jpg',
  status: 'SUCCEEDED',
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:ImageProcessing:a-jpg-0123',
  sequencer: '0065A1B2C3D4E5F601',
  sequencerOrder: '0065A1B2C3D4E5F60100000000000000',
  uploadedAt: '2026-11-22T10:15:31.000Z',
  updatedAt: '2026-11-22T10:15:40.000Z',
  format: 'JPEG',
  width: 640,
  height: 480,
  thumbnail: { key: 'private/alice/resized/holidays/a.jpg', width: 250, height: 188, format: 'JPEG', sizeBytes: 9000 },
};

describe('photo view', () => {
  it('hides the internal fields (bucket, key, sequencer, owner, album key) and keeps the rest', () => {
    const view = photoView(photoItem) as Record<string, unknown>;
    for (const hidden of ['bucket', 'key', 'sequencer', 'sequencerOrder', 'albumKey', 'userId']) {
      expect(view, hidden).not.to.have.property(hidden);
    }
    expect(view).to.deep.include({
      imageId: photoItem.imageId,
      fileName: 'a.jpg',
      albumId: 'holidays',
      status: 'SUCCEEDED',
      executionArn: photoItem.executionArn,
      thumbnail: photoItem.thumbnail,
    });
  });

  it('passes through fields that other steps add later (faces, moderation, rendition)', () => {
    const later = {
      ...photoItem,
      faces: {
        count: 2,
        detected: true,
        details: [{ boundingBox: { width: 0.1, height: 0.2, left: 0.3, top: 0.4 }, confidence: 99 }],
      },
      moderation: { labels: [], flagged: false },
      moderationError: { name: 'X', message: 'y' },
      rendition: {
        key: 'private/alice/converted/holidays/a.heic.jpg',
        sizeBytes: 1,
        format: 'JPEG' as const,
        width: 1,
        height: 1,
      },
    };
    expect(photoView(later)).to.deep.include({
      faces: later.faces,
      moderation: later.moderation,
      moderationError: later.moderationError,
      rendition: later.rendition,
    });
  });

  it('ownPhoto keeps only a live photo of the caller: another user and a tombstone are both undefined', () => {
    expect(ownPhoto(photoItem, 'alice')).to.equal(photoItem);
    expect(ownPhoto(photoItem, 'bob')).to.equal(undefined);
    expect(ownPhoto(undefined, 'alice')).to.equal(undefined);
    const tombstone: Tombstone = {
      imageId: photoItem.imageId,
      sequencer: '0065A1B2C3D4E5F801',
      sequencerOrder: '0065A1B2C3D4E5F80100000000000000',
      deletedAt: '2026-11-22T10:30:00.000Z',
      expiresAt: 1795000000,
    };
    expect(ownPhoto(tombstone, 'alice')).to.equal(undefined);
  });

  it('links an execution to its page in the Step Functions console of its own region', () => {
    expect(executionConsoleUrl(photoItem.executionArn as string)).to.equal(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${photoItem.executionArn}`,
    );
  });
});
