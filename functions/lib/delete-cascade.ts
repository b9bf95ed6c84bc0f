import { coverOf, type AlbumStore } from './albums';
import { TransientError } from './errors';
import { isPhotoItem, type ImageItem, type StoredItem } from './image-item';
import type { PhotoQueries } from './photos';
import { isUserKey } from './photos';
import type { ObjectDeleted } from './s3-events';
import { sequencerOrder } from './sequencer';
import { imageIdFor, convertedKeyFor, thumbnailKeyFor, type UploadKey } from './upload-key';

/**
 * DeleteCascade: an upload's original is gone (deleted through the API, the console or the CLI), so what was made
 * from it goes too: the thumbnail, the rendition and the item, and the album's count drops by one. Deletes and
 * uploads of one key are ordered by their S3 sequencers, as S3Trigger orders uploads: the item is replaced by a
 * tombstone holding the delete's sequencer, so an older delete never removes a newer photo's item, a duplicate
 * delete changes nothing, and a late upload event older than the delete is stale (docs/architecture.md).
 */
export interface PhotoDeletions {
  /** The item as it is now (a strongly consistent read). */
  current(imageId: string): Promise<StoredItem | undefined>;
  /**
   * Replaces `seen` (the item as read, or no item) with the tombstone of this delete; when `seen` was a live photo
   * in an album, the album's count drops in the same transaction. false when the item changed since it was read.
   */
  recordDeletion(imageId: string, sequencer: string, seen: StoredItem | undefined, now: Date): Promise<boolean>;
}

export interface ObjectVersions {
  /** Whether the key has a current version (not a delete marker). */
  currentExists(bucket: string, key: string): Promise<boolean>;
  /** Deletes every version and delete marker of exactly this key; answers how many. */
  deleteEveryVersion(bucket: string, key: string): Promise<number>;
}

export interface CascadeDependencies {
  photos: PhotoDeletions;
  objects: ObjectVersions;
  albums: Pick<AlbumStore, 'get' | 'replaceCover'>;
  queries: Pick<PhotoQueries, 'newestWithThumbnail'>;
}

export type CascadeOutcome =
  | { key: string; outcome: 'deleted' | 'tombstoned'; removedKeys: string[] }
  | { key: string; outcome: 'duplicate' | 'superseded' | 'kept' | 'skipped'; reason: string };

/** Conflicting writes between the read and the write are retried from a fresh read this many times. */
const MAX_ROUNDS = 5;

export async function cascadeDelete(
  deleted: ObjectDeleted,
  upload: UploadKey,
  deps: CascadeDependencies,
  now: Date,
): Promise<CascadeOutcome> {
  const { key } = deleted;
  // Deleting a noncurrent version (a lifecycle expiry, an explicit version delete) leaves the photo in place.
  if (await deps.objects.currentExists(deleted.bucket, key)) {
    return { key, outcome: 'kept', reason: 'the key still has a current version' };
  }
  const imageId = imageIdFor(key);
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const item = await deps.photos.current(imageId);
    const verdict = deletionVerdict(item, deleted.sequencer);
    if (verdict === 'duplicate') return { key, outcome: verdict, reason: 'this delete is already recorded' };
    if (verdict === 'superseded') return { key, outcome: verdict, reason: 'a newer upload of this key owns the item' };
    // Derived objects go first: if anything fails, the event is retried and finds the item still there.
    const removedKeys = derivedKeysOf(upload, item);
    for (const derived of removedKeys) await deps.objects.deleteEveryVersion(deleted.bucket, derived);
    if (!(await deps.photos.recordDeletion(imageId, deleted.sequencer, item, now))) continue;
    if (!isPhotoItem(item)) return { key, outcome: 'tombstoned', removedKeys };
    if (item.albumId !== undefined) await replaceCoverIfShown(item.userId, item.albumId, imageId, deps);
    return { key, outcome: 'deleted', removedKeys };
  }
  throw new TransientError(`The item of ${key} kept changing while its delete was recorded`);
}

/** Ordering of a delete against the item: the same sequencer is this delete's own tombstone; a larger one is newer. */
export function deletionVerdict(
  item: StoredItem | undefined,
  sequencer: string,
): 'delete' | 'duplicate' | 'superseded' {
  if (!item) return 'delete';
  const order = sequencerOrder(sequencer);
  if (item.sequencerOrder === order) return 'duplicate';
  return item.sequencerOrder > order ? 'superseded' : 'delete';
}

/** The thumbnail and rendition keys the grammar gives, plus any the item recorded in the owner's folders. */
export function derivedKeysOf(upload: UploadKey, item: StoredItem | undefined): string[] {
  const keys = new Set([thumbnailKeyFor(upload), convertedKeyFor(upload)]);
  const photo = isPhotoItem(item) ? (item as ImageItem & { rendition?: { key?: unknown } }) : undefined;
  const recorded = [photo?.thumbnail?.key, photo?.rendition?.key];
  for (const key of recorded) {
    if (typeof key !== 'string') continue;
    if (isUserKey(upload.userId, 'resized', key) || isUserKey(upload.userId, 'converted', key)) keys.add(key);
  }
  return [...keys];
}

async function replaceCoverIfShown(userId: string, albumId: string, imageId: string, deps: CascadeDependencies) {
  const album = await deps.albums.get(userId, albumId);
  if (album?.cover?.imageId !== imageId) return;
  const next = await deps.queries.newestWithThumbnail(userId, albumId, imageId);
  const cover = next?.thumbnail ? coverOf(next.imageId, next.thumbnail.key, next.uploadedAt) : undefined;
  await deps.albums.replaceCover(userId, albumId, imageId, cover);
}
