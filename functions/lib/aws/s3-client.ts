import { S3Client } from '@aws-sdk/client-s3';
import { clientOptions } from './client-options';
import { traced } from './tracer';

let client: S3Client | undefined;

/** Created on first use, once per container, traced (./tracer.ts). */
export function s3Client(): S3Client {
  client ??= traced(new S3Client({ ...clientOptions, forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' }));
  return client;
}
