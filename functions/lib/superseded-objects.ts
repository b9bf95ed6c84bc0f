import { UploadSuperseded } from './errors';
import type { UploadRef } from './image-item';
import { SOURCE_SEQUENCER_METADATA } from './newest-write';
import type { ObjectHead, ObjectRef, ObjectVersionRemover, ObjectWriter } from './object-store';
import { compareSequencers } from './sequencer';
import { convertedKeyFor, thumbnailKeyFor } from './upload-key';

/**
 * What an execution that no longer owns its item leaves behind: nothing. A delete's cascade (DeleteCascade) removes
 * the thumbnail and rendition there are when it runs; an execution still running then (it read the upload at its
 * pinned version, which a versioned bucket keeps after a delete) writes its thumbnail after the cascade, and its
 * CompleteProcessing or RecordFailure then finds the tombstone (UploadSuperseded). Those two steps then remove what the
 * execution wrote, by version id: the versions it recorded writing, then, from the top of the thumbnail and
 * rendition keys, each current version made by this upload or an older one (`x-amz-meta-source-sequencer`, as
 * functions/lib/newest-write.ts writes it), until the current one is a newer upload's or none is left.
 *
 * Only versions are deleted, never a key: a newer upload's thumbnail is another version, so however its write
 * interleaves with these deletes it stays (a version deleted from under it lets it through its If-Match, or its
 * writer reads the key again). An unversioned object (no version id, or "null") is left in place: without a version
 * a delete could remove a newer writer's object (docs/architecture.md, "Delete cascade").
 */
export type DerivedObjects = Pick<ObjectWriter, 'headIfAny'> & ObjectVersionRemover;

/** A version this execution is known to have written: GenerateThumbnail's and ConvertImage's results name theirs. */
export interface WrittenVersion {
  key: string;
  versionId?: string;
}

/** Versions deleted from the top of one key before giving up (a deep history of older uploads is left to expire). */
export const MAX_DISCARD_ROUNDS = 10;

/** S3's version id of an object written while a bucket was unversioned: deleting it deletes whatever is there. */
const UNVERSIONED = 'null';

/**
 * Runs a final write (`record`); when it finds the item owned by a newer upload or a delete (UploadSuperseded),
 * removes what this execution left, then throws the same UploadSuperseded for the ASL to match.
 */
export async function recordOrDiscard<T>(
  record: () => Promise<T>,
  objects: DerivedObjects,
  upload: UploadRef,
  written: WrittenVersion[] = [],
): Promise<T> {
  try {
    return await record();
  } catch (error) {
    if (!(error instanceof UploadSuperseded)) throw error;
    await discardSupersededObjects(objects, upload, written);
    throw error;
  }
}

/** Deletes the versions of the upload's thumbnail and rendition this execution (or an older one) made; answers them. */
export async function discardSupersededObjects(
  objects: DerivedObjects,
  upload: UploadRef,
  written: WrittenVersion[] = [],
): Promise<Required<WrittenVersion>[]> {
  const removed: Required<WrittenVersion>[] = [];
  const remove = async (key: string, versionId: string) => {
    await objects.deleteVersion({ bucket: upload.bucket, key, versionId });
    removed.push({ key, versionId });
  };
  const keys = [thumbnailKeyFor(upload), convertedKeyFor(upload)];
  for (const { key, versionId } of written) {
    if (keys.includes(key) && versionId && versionId !== UNVERSIONED) await remove(key, versionId);
  }
  for (const key of keys) {
    const target: ObjectRef = { bucket: upload.bucket, key };
    for (let round = 1; round <= MAX_DISCARD_ROUNDS; round += 1) {
      const current = await objects.headIfAny(target);
      if (!current || !madeByOrBefore(current, upload.sequencer)) break;
      if (!current.versionId || current.versionId === UNVERSIONED) break;
      await remove(key, current.versionId);
    }
  }
  return removed;
}

/** Made from this upload or an older one; an object without the metadata (older than the rule) counts as oldest. */
function madeByOrBefore(head: ObjectHead, sequencer: string): boolean {
  const source = head.metadata?.[SOURCE_SEQUENCER_METADATA];
  if (source === undefined) return true;
  try {
    return compareSequencers(source, sequencer) <= 0;
  } catch {
    return true;
  }
}
