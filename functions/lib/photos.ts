import type { ImageItem, StoredItem } from './image-item';
import type { PageCursor, PhotoListing } from './paging';
import { executionConsoleUrl, photoView, type PhotoView } from './photo-view';
import type { UploadPolicy } from './upload-policy';

/** Reads of the ImageMetadata table the API needs (the adapter: functions/lib/aws/dynamodb-photo-queries.ts). */
export interface PhotoQueries {
  /** The item under this id, whoever owns it: routes keep only their caller's (ownPhoto). */
  photo(imageId: string): Promise<StoredItem | undefined>;
  /** One page of a listing, newest first; `last` is set when more may follow. */
  page(listing: PhotoListing, limit: number, after?: PageCursor): Promise<{ items: ImageItem[]; last?: PageCursor }>;
  /** The album's newest photo that has a thumbnail, other than `exceptImageId`. */
  newestWithThumbnail(userId: string, albumId: string, exceptImageId: string): Promise<ImageItem | undefined>;
}

/** Presigned URLs (the adapter: functions/lib/aws/s3-presigner.ts). */
export interface Presigner {
  getUrl(bucket: string, key: string, expiresIn: number): Promise<string>;
  post(bucket: string, policy: UploadPolicy): Promise<{ url: string; fields: Record<string, string> }>;
}

/** Presigned GET URLs live 15 minutes (docs/api.md). */
export const GET_URL_EXPIRES_IN_SECONDS = 900;

/** Whether a key is in one of this user's folders (`private/{userId}/{folder}/...`). */
export function isUserKey(userId: string, folder: 'uploads' | 'resized' | 'converted', key: string): boolean {
  return key.startsWith(`private/${userId}/${folder}/`);
}

/** The public view with `thumbnailUrl` when the photo has a thumbnail in the owner's resized/ folder. */
export async function photoWithThumbnailUrl(item: ImageItem, urls: Presigner): Promise<PhotoView> {
  const view = photoView(item);
  const thumbnailKey = item.thumbnail?.key;
  if (thumbnailKey && isUserKey(item.userId, 'resized', thumbnailKey)) {
    view.thumbnailUrl = await urls.getUrl(item.bucket, thumbnailKey, GET_URL_EXPIRES_IN_SECONDS);
  }
  return view;
}

/** GET /photos/{imageId}: the view with the thumbnail and original URLs and, on AWS, the execution's console page. */
export async function photoDetail(item: ImageItem, urls: Presigner, onAws: boolean): Promise<PhotoView> {
  const view = await photoWithThumbnailUrl(item, urls);
  if (isUserKey(item.userId, 'uploads', item.key)) {
    view.originalUrl = await urls.getUrl(item.bucket, item.key, GET_URL_EXPIRES_IN_SECONDS);
  }
  if (onAws && item.executionArn) view.executionConsoleUrl = executionConsoleUrl(item.executionArn);
  return view;
}
