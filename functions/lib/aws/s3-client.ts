import { S3Client } from '@aws-sdk/client-s3';
import { clientOptions } from './client-options';

let client: S3Client | undefined;

/** Created on first use, once per container. */
export function s3Client(): S3Client {
  client ??= new S3Client({ ...clientOptions, forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
  return client;
}
