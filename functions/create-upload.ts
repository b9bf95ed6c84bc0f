import { NotFound } from './lib/api-errors';
import { apiHandler } from './lib/api-handler';
import { uploadRequest } from './lib/api-input';
import { jsonBody } from './lib/api-request';
import { albumStore } from './lib/aws/dynamodb-album-store';
import { s3Presigner } from './lib/aws/s3-presigner';
import { photoBucketName, uploadMaxBytes } from './lib/config';
import { uploadPolicyFor } from './lib/upload-policy';

/** CreateUpload: POST /uploads, a presigned POST for exactly one key in the caller's uploads folder. */
export const handler = apiHandler('POST /uploads', async (request) => {
  const maxBytes = uploadMaxBytes();
  const upload = uploadRequest(jsonBody(request, ['fileName', 'contentType', 'size', 'albumId']), maxBytes);
  if (upload.albumId !== undefined && !(await albumStore().get(request.userId, upload.albumId))) {
    throw new NotFound('No such album');
  }
  const policy = uploadPolicyFor(request.userId, upload, maxBytes);
  const { url, fields } = await s3Presigner.post(photoBucketName(), policy);
  const { key, imageId, expiresIn } = policy;
  return { status: 201, body: { url, fields, key, imageId, expiresIn, maxBytes } };
});
