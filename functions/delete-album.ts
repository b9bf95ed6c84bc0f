import { requireEmpty } from './lib/albums';
import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { albumId } from './lib/api-input';
import { albumStore } from './lib/aws/dynamodb-album-store';

/** DeleteAlbum: DELETE /albums/{albumId}, only an empty album (409 AlbumNotEmpty otherwise). */
export const handler = apiHandler('DELETE /albums/{albumId}', async (request) => {
  const id = albumId(request.pathParameters.albumId);
  if (requireEmpty(await albumStore().deleteIfEmpty(request.userId, id)) === 'missing') {
    throw new NotFound('No such album');
  }
  return { status: 204 };
});
