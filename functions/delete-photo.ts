import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { imageId } from './lib/api-input';
import { photoQueries } from './lib/aws/dynamodb-photo-queries';
import { objectVersions } from './lib/aws/s3-object-versions';
import { ownPhoto } from './lib/photo-view';
import { isUserKey } from './lib/photos';

/**
 * DeletePhoto: DELETE /photos/{imageId}. Every version of the original is deleted (the user asked for the photo to
 * be gone); S3's "Object Deleted" events then run DeleteCascade, which removes the thumbnail, rendition and item.
 */
export const handler = apiHandler('DELETE /photos/{imageId}', async (request) => {
  const item = ownPhoto(await photoQueries().photo(imageId(request.pathParameters.imageId)), request.userId);
  if (!item || !isUserKey(request.userId, 'uploads', item.key)) throw new NotFound('No such photo');
  await objectVersions.deleteEveryVersion(item.bucket, item.key);
  return { status: 202, body: { imageId: item.imageId, status: 'DELETING' } };
});
