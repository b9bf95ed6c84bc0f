import { albumViewWithCover, newestFirst } from './lib/albums';
import { apiHandler } from './lib/api-handler';
import { queryOf } from './lib/api-request';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { s3Presigner } from './lib/aws/s3-presigner';
import { photoBucketName } from './lib/config';

/** ListAlbums: GET /albums, the caller's albums newest first, each with its photo count and cover URL. */
export const handler = apiHandler('GET /albums', async (request) => {
  queryOf(request, []);
  const albums = newestFirst(await albumStore().list(request.userId));
  const bucket = photoBucketName();
  return {
    status: 200,
    body: { albums: await Promise.all(albums.map((album) => albumViewWithCover(album, s3Presigner, bucket))) },
  };
});
