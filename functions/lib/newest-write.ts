import { TransientError, UploadSuperseded } from './errors';
import type { UploadRef } from './image-item';
import { WriteConflict, type ObjectRef, type ObjectWriter, type WrittenObject } from './object-store';
import { compareSequencers } from './sequencer';

/**
 * The user metadata (`x-amz-meta-source-sequencer`) naming the upload an object derived from it (thumbnail,
 * rendition) was made from: that upload's S3 sequencer.
 */
export const SOURCE_SEQUENCER_METADATA = 'source-sequencer';

/** Rounds of read-then-write before a writer that keeps losing races gives up with a TransientError. */
export const MAX_WRITE_ROUNDS = 5;

/**
 * Writes an object derived from an upload so that an older upload's object never replaces a newer one's, however
 * executions of the same key interleave. Each round reads the current object's head: one made from a newer upload
 * ends the writer with UploadSuperseded (the newer execution owns the key); otherwise the object is written on the
 * condition that it is still the one that was read (`If-Match` its ETag, or `If-None-Match: *` when there was none),
 * so a writer that came in between makes the write fail (WriteConflict) and the round starts again. The same upload
 * writing again (a retried step) replaces its own object. Objects without the metadata (older than this rule) count
 * as the oldest.
 *
 * Limit: S3 compares ETags, which are content hashes. If a newer upload's object has exactly the bytes of the object
 * that was read, the write goes through and the picture stays the same, but the metadata then names the older upload.
 */
export async function writeNewest(
  objects: ObjectWriter,
  target: ObjectRef,
  upload: Pick<UploadRef, 'key' | 'sequencer'>,
  content: { body: Uint8Array; contentType: string },
): Promise<WrittenObject> {
  for (let round = 1; round <= MAX_WRITE_ROUNDS; round += 1) {
    const current = await objects.headIfAny(target);
    if (current && isNewer(current.metadata?.[SOURCE_SEQUENCER_METADATA], upload.sequencer)) {
      throw new UploadSuperseded(upload.key, upload.sequencer);
    }
    try {
      return await objects.write(target, content.body, content.contentType, {
        metadata: { [SOURCE_SEQUENCER_METADATA]: upload.sequencer },
        condition: current?.etag ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
      });
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }
  throw new TransientError(`Writing ${target.key} lost ${MAX_WRITE_ROUNDS} races with other writers in a row`);
}

function isNewer(stored: string | undefined, sequencer: string): boolean {
  if (stored === undefined) return false;
  try {
    return compareSequencers(stored, sequencer) > 0;
  } catch {
    // Not a sequencer (written by hand): the oldest there is.
    return false;
  }
}
