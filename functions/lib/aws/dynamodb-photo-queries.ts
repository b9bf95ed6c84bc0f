import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { imageMetadataTableName } from '../config';
import { albumKeyOf, isPhotoItem, type ImageItem, type StoredItem } from '../image-item';
import type { PageCursor, PhotoListing } from '../paging';
import type { PhotoQueries } from '../photos';
import { callAws } from './transient';
import { documentClient } from './dynamodb-client';

/**
 * The API's reads of the ImageMetadata table: one item by id, and a user's or an album's photos newest first
 * through the ByUser and ByAlbum indexes. The partition of every query comes from the listing (the caller), the
 * paging cursor only gives the position inside it.
 */
export class DynamoPhotoQueries implements PhotoQueries {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async photo(imageId: string): Promise<StoredItem | undefined> {
    const result = await callAws('Reading the photo', () =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { imageId }, ConsistentRead: true })),
    );
    return result.Item as StoredItem | undefined;
  }

  async page(listing: PhotoListing, limit: number, after?: PageCursor) {
    const [attribute, value] =
      'albumId' in listing
        ? ['albumKey', albumKeyOf(listing.userId, listing.albumId) as string]
        : ['userId', listing.userId];
    const result = await callAws('Listing photos', () =>
      this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'albumId' in listing ? 'ByAlbum' : 'ByUser',
          KeyConditionExpression: '#partition = :partition',
          ExpressionAttributeNames: { '#partition': attribute },
          ExpressionAttributeValues: { ':partition': value },
          ScanIndexForward: false,
          Limit: limit,
          ...(after
            ? { ExclusiveStartKey: { [attribute]: value, imageId: after.imageId, uploadedAt: after.uploadedAt } }
            : {}),
        }),
      ),
    );
    const items = ((result.Items ?? []) as StoredItem[]).filter(
      (item): item is ImageItem => isPhotoItem(item) && item.userId === listing.userId,
    );
    const last = result.LastEvaluatedKey;
    return {
      items,
      ...(last ? { last: { imageId: String(last.imageId), uploadedAt: String(last.uploadedAt) } } : {}),
    };
  }

  async newestWithThumbnail(userId: string, albumId: string, exceptImageId: string): Promise<ImageItem | undefined> {
    let after: PageCursor | undefined;
    for (let pages = 0; pages < 5; pages += 1) {
      const { items, last } = await this.page({ userId, albumId }, 25, after);
      const found = items.find((item) => item.imageId !== exceptImageId && item.thumbnail !== undefined);
      if (found || !last) return found;
      after = last;
    }
    return undefined;
  }
}

let queries: PhotoQueries | undefined;

export function photoQueries(): PhotoQueries {
  queries ??= new DynamoPhotoQueries(documentClient(), imageMetadataTableName());
  return queries;
}
