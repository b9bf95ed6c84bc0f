import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AlbumCover, AlbumRecord, AlbumStore, DeleteAlbumOutcome } from '../albums';
import { albumMetadataTableName } from '../config';
import { callAws } from './transient';
import { documentClient } from './dynamodb-client';

/**
 * AlbumStore on the AlbumMetadata table (key userId + albumId). Every write is conditional on what the route
 * expects (the album exists, is empty, shows an older cover), so concurrent requests cannot undo each other.
 */
export class DynamoAlbumStore implements AlbumStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(userId: string): Promise<AlbumRecord[]> {
    const albums: AlbumRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await callAws('Listing the albums', () =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'userId = :userId',
            ExpressionAttributeValues: { ':userId': userId },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const album = albumRecordOf(item);
        if (album?.userId === userId) albums.push(album);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return albums;
  }

  async get(userId: string, albumId: string): Promise<AlbumRecord | undefined> {
    const result = await callAws('Reading the album', () =>
      this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { userId, albumId }, ConsistentRead: true }),
      ),
    );
    return result.Item ? albumRecordOf(result.Item) : undefined;
  }

  async create(album: AlbumRecord): Promise<boolean> {
    return this.conditional('Creating the album', () =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: album,
          ConditionExpression: 'attribute_not_exists(albumId)',
        }),
      ),
    );
  }

  async rename(userId: string, albumId: string, name: string): Promise<AlbumRecord | undefined> {
    try {
      const result = await callAws('Renaming the album', () =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { userId, albumId },
            UpdateExpression: 'SET #name = :name',
            ConditionExpression: 'attribute_exists(albumId)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': name },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return result.Attributes ? albumRecordOf(result.Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async deleteIfEmpty(userId: string, albumId: string): Promise<DeleteAlbumOutcome> {
    const deleted = await this.conditional('Deleting the album', () =>
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { userId, albumId },
          ConditionExpression:
            'attribute_exists(albumId) AND (attribute_not_exists(photoCount) OR photoCount <= :zero)',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      ),
    );
    if (deleted) return { outcome: 'deleted' };
    const album = await this.get(userId, albumId);
    return album ? { outcome: 'not-empty', photoCount: album.photoCount } : { outcome: 'missing' };
  }

  async offerCover(userId: string, albumId: string, cover: AlbumCover): Promise<void> {
    await this.conditional('Setting the album cover', () =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId, albumId },
          UpdateExpression: 'SET cover = :cover',
          ConditionExpression:
            'attribute_exists(albumId) AND (attribute_not_exists(cover) OR cover.uploadedAt <= :uploadedAt)',
          ExpressionAttributeValues: { ':cover': cover, ':uploadedAt': cover.uploadedAt },
        }),
      ),
    );
  }

  async replaceCover(userId: string, albumId: string, removedImageId: string, next?: AlbumCover): Promise<void> {
    await this.conditional('Replacing the album cover', () =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId, albumId },
          UpdateExpression: next ? 'SET cover = :next' : 'REMOVE cover',
          ConditionExpression: 'cover.imageId = :removed',
          ExpressionAttributeValues: { ':removed': removedImageId, ...(next ? { ':next': next } : {}) },
        }),
      ),
    );
  }

  /** Runs a conditional write: true when it happened, false when its condition did not hold. */
  private async conditional(description: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await callAws(description, write);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** An album item read back, or undefined when it lacks what every album has. */
function albumRecordOf(item: Record<string, unknown>): AlbumRecord | undefined {
  const { userId, albumId, name, createdAt, photoCount, cover } = item;
  if (typeof userId !== 'string' || typeof albumId !== 'string') return undefined;
  return {
    userId,
    albumId,
    name: typeof name === 'string' ? name : albumId,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    photoCount: typeof photoCount === 'number' ? photoCount : 0,
    ...(isCover(cover) ? { cover } : {}),
  };
}

function isCover(value: unknown): value is AlbumCover {
  const cover = value as Partial<AlbumCover> | null | undefined;
  return (
    typeof cover?.imageId === 'string' && typeof cover.thumbnailKey === 'string' && typeof cover.uploadedAt === 'string'
  );
}

let store: AlbumStore | undefined;

/** The AlbumStore of this container: the table named by ALBUM_METADATA_TABLE. */
export function albumStore(): AlbumStore {
  store ??= new DynamoAlbumStore(documentClient(), albumMetadataTableName());
  return store;
}
