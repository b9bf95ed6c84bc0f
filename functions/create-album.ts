import { albumView, newAlbum } from './lib/albums';
import { apiHandler } from './lib/api-handler';
import { albumName } from './lib/api-input';
import { jsonBody } from './lib/api-request';
import { albumStore } from './lib/aws/dynamodb-album-store';

/** CreateAlbum: POST /albums {name}, an empty album with an id made here. */
export const handler = apiHandler('POST /albums', async (request) => {
  const { name } = jsonBody(request, ['name']);
  const album = newAlbum(request.userId, albumName(name), new Date());
  // 96 random bits: a taken id means something is badly wrong, not bad luck.
  if (!(await albumStore().create(album))) throw new Error(`Album id ${album.albumId} is already taken`);
  return { status: 201, body: albumView(album) };
});
