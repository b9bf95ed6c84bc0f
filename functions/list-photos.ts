import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { albumId, pageSize } from './lib/api-input';
import { queryOf } from './lib/api-request';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { photoQueries } from './lib/aws/dynamodb-photo-queries';
import { s3Presigner } from './lib/aws/s3-presigner';
import { decodePageToken, encodePageToken, type PhotoListing } from './lib/paging';
import { photoWithThumbnailUrl } from './lib/photos';

/** ListPhotos: GET /photos?albumId=&limit=&next=, the caller's (or one album's) photos newest first, in pages. */
export const handler = apiHandler('GET /photos', async (request) => {
  const query = queryOf(request, ['albumId', 'limit', 'next']);
  const { userId } = request;
  const limit = pageSize(query.limit);
  const listing: PhotoListing = query.albumId === undefined ? { userId } : { userId, albumId: albumId(query.albumId) };
  const after = query.next === undefined ? undefined : decodePageToken(listing, query.next);
  if ('albumId' in listing && !(await albumStore().get(userId, listing.albumId))) throw new NotFound('No such album');
  const page = await photoQueries().page(listing, limit, after);
  const photos = await Promise.all(page.items.map((item) => photoWithThumbnailUrl(item, s3Presigner)));
  return { status: 200, body: { photos, ...(page.last ? { next: encodePageToken(listing, page.last) } : {}) } };
});
