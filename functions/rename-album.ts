import { albumViewWithCover } from './lib/albums';
import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { albumId, albumName } from './lib/api-input';
import { jsonBody } from './lib/api-request';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { s3Presigner } from './lib/aws/s3-presigner';
import { photoBucketName } from './lib/config';

/** RenameAlbum: PATCH /albums/{albumId} {name}; the id (the photos' folder) never changes. */
export const handler = apiHandler('PATCH /albums/{albumId}', async (request) => {
  const id = albumId(request.pathParameters.albumId);
  const { name } = jsonBody(request, ['name']);
  const album = await albumStore().rename(request.userId, id, albumName(name));
  if (!album) throw new NotFound('No such album');
  return { status: 200, body: await albumViewWithCover(album, s3Presigner, photoBucketName()) };
});
