import type { Context } from 'aws-lambda';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { photoDeletions } from './lib/aws/dynamodb-photo-deletions';
import { photoQueries } from './lib/aws/dynamodb-photo-queries';
import { objectVersions } from './lib/aws/s3-object-versions';
import { cascadeDelete, type CascadeOutcome } from './lib/delete-cascade';
import { logger } from './lib/logger';
import { objectsDeletedIn } from './lib/s3-events';
import { tryParseUploadKey } from './lib/upload-key';

/**
 * DeleteCascade: on S3's "Object Deleted" for an upload key (from the API, the console or the CLI), removes the
 * thumbnail, the rendition and the item, and takes the photo off its album's count (functions/lib/delete-cascade.ts).
 */
export const handler = async (event: unknown, context?: Context): Promise<CascadeOutcome[]> => {
  if (context) logger.addContext(context);
  const deps = { photos: photoDeletions(), objects: objectVersions, albums: albumStore(), queries: photoQueries() };
  const outcomes: CascadeOutcome[] = [];
  for (const deleted of objectsDeletedIn(event)) {
    logger.resetKeys();
    logger.appendKeys({ s3Key: deleted.key, sequencer: deleted.sequencer });
    const upload = tryParseUploadKey(deleted.key);
    const outcome: CascadeOutcome = upload
      ? await cascadeDelete(deleted, upload, deps, new Date())
      : { key: deleted.key, outcome: 'skipped', reason: 'not an upload key' };
    logger.info('Delete handled', { ...outcome });
    outcomes.push(outcome);
  }
  return outcomes;
};
