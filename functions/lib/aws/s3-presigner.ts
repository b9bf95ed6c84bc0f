import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Presigner } from '../photos';
import type { UploadPolicy } from '../upload-policy';
import { s3Client } from './s3-client';

/**
 * Presigned URLs, signed locally with the function's credentials (no request to S3): a GET of one object, and a
 * browser form POST whose policy holds the core's conditions. S3 refuses the URL once the function's role could
 * not make the request itself, so the role needs s3:GetObject / s3:PutObject on those keys.
 */
export const s3Presigner: Presigner = {
  getUrl(bucket: string, key: string, expiresIn: number): Promise<string> {
    return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
  },

  post(bucket: string, policy: UploadPolicy) {
    return createPresignedPost(s3Client(), {
      Bucket: bucket,
      Key: policy.key,
      Conditions: policy.conditions,
      Fields: policy.fields,
      Expires: policy.expiresIn,
    });
  },
};
