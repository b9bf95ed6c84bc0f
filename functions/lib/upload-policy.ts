import { BadRequest } from './api-errors';
import type { UploadRequest } from './api-input';
import { imageIdFor, tryParseUploadKey, uploadKeyOf } from './upload-key';

/**
 * What a presigned POST allows: exactly one key under the caller's uploads folder, exactly the content type asked
 * for, a size from 1 byte to the upload limit, for a few minutes. S3 checks every condition against the form it
 * receives; the adapter signs them (functions/lib/aws/s3-presigner.ts).
 */
export type PostCondition = ['content-length-range', number, number] | ['eq', `$${string}`, string];

export interface UploadPolicy {
  key: string;
  /** The id the photo will have once S3Trigger records it. */
  imageId: string;
  /** Form fields the client sends as they are (before the file). */
  fields: Record<string, string>;
  /** Conditions besides the bucket and the key, which the signer adds. */
  conditions: PostCondition[];
  expiresIn: number;
  maxBytes: number;
}

export const UPLOAD_EXPIRES_IN_SECONDS = 300;
const MAX_KEY_BYTES = 1024;

export function uploadPolicyFor(userId: string, request: UploadRequest, maxBytes: number): UploadPolicy {
  const key = uploadKeyOf({
    userId,
    fileName: request.fileName,
    ...(request.albumId === undefined ? {} : { albumId: request.albumId }),
  });
  const parsed = tryParseUploadKey(key);
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES || !parsed || parsed.userId !== userId) {
    throw new BadRequest('"fileName" (with the album) does not make a valid upload key');
  }
  return {
    key,
    imageId: imageIdFor(key),
    fields: { 'Content-Type': request.contentType },
    conditions: [
      ['eq', '$Content-Type', request.contentType],
      ['content-length-range', 1, maxBytes],
    ],
    expiresIn: UPLOAD_EXPIRES_IN_SECONDS,
    maxBytes,
  };
}
