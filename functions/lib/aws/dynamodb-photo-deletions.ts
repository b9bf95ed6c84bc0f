import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { albumMetadataTableName, imageMetadataTableName } from '../config';
import type { PhotoDeletions } from '../delete-cascade';
import { isPhotoItem, type StoredItem, type Tombstone } from '../image-item';
import { sequencerOrder } from '../sequencer';
import { callAws } from './transient';
import { albumCountChange, cancellationCodes } from './dynamodb-album-counts';
import { documentClient } from './dynamodb-client';

/** Tombstones outlive any retry of an older event (EventBridge and Lambda give up within hours). */
export const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The cascade's writes on the ImageMetadata table: the item becomes a tombstone, conditional on being exactly what
 * the cascade read (same sequencer, or still absent), and a live photo's album loses one from its count in the same
 * transaction.
 */
export class DynamoPhotoDeletions implements PhotoDeletions {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly imageTable: string,
    private readonly albumTable: string,
  ) {}

  async current(imageId: string): Promise<StoredItem | undefined> {
    const result = await callAws('Reading the item', () =>
      this.documents.send(new GetCommand({ TableName: this.imageTable, Key: { imageId }, ConsistentRead: true })),
    );
    return result.Item as StoredItem | undefined;
  }

  async recordDeletion(imageId: string, sequencer: string, seen: StoredItem | undefined, now: Date): Promise<boolean> {
    const tombstone: Tombstone = {
      imageId,
      sequencer,
      sequencerOrder: sequencerOrder(sequencer),
      deletedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
    };
    const put = {
      TableName: this.imageTable,
      Item: tombstone,
      ...(seen
        ? { ConditionExpression: 'sequencerOrder = :seen', ExpressionAttributeValues: { ':seen': seen.sequencerOrder } }
        : { ConditionExpression: 'attribute_not_exists(imageId)' }),
    };
    if (isPhotoItem(seen) && seen.albumId !== undefined) {
      const change = albumCountChange(this.albumTable, seen.userId, seen.albumId, -1, now);
      try {
        await callAws('Recording the delete', () =>
          this.documents.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, change] })),
        );
        return true;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] !== 'None') return false;
        // The album is gone or already at zero: the photo's removal is recorded on its own.
        if (codes[1] !== 'ConditionalCheckFailed') throw error;
      }
    }
    try {
      await callAws('Recording the delete', () => this.documents.send(new PutCommand(put)));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

let deletions: PhotoDeletions | undefined;

export function photoDeletions(): PhotoDeletions {
  deletions ??= new DynamoPhotoDeletions(documentClient(), imageMetadataTableName(), albumMetadataTableName());
  return deletions;
}
