import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { imageId } from './lib/api-input';
import { photoQueries } from './lib/aws/dynamodb-photo-queries';
import { s3Presigner } from './lib/aws/s3-presigner';
import { onAws } from './lib/config';
import { ownPhoto } from './lib/photo-view';
import { photoDetail } from './lib/photos';

/** GetPhoto: GET /photos/{imageId}, the photo with presigned URLs of its original and thumbnail. */
export const handler = apiHandler('GET /photos/{imageId}', async (request) => {
  const item = ownPhoto(await photoQueries().photo(imageId(request.pathParameters.imageId)), request.userId);
  if (!item) throw new NotFound('No such photo');
  return { status: 200, body: await photoDetail(item, s3Presigner, onAws()) };
});
