import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UploadNotFound } from '../errors';
import type { ObjectHead, ObjectRef, ObjectStore } from '../object-store';
import { s3Client } from './s3-client';
import { callAws } from './transient';

/** The ObjectStore on S3, with "not found" turned into UploadNotFound and transient errors typed. */
export class S3Objects implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async head({ bucket, key }: ObjectRef): Promise<ObjectHead> {
    const head = await notFoundAs(key, () => this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    return {
      sizeBytes: head.ContentLength ?? 0,
      ...(head.LastModified ? { lastModified: head.LastModified } : {}),
      ...(head.ETag ? { etag: head.ETag } : {}),
    };
  }

  async readRange({ bucket, key }: ObjectRef, start: number, endExclusive: number): Promise<Uint8Array> {
    if (endExclusive <= start) return new Uint8Array(0);
    const response = await notFoundAs(key, () =>
      this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` })),
    );
    return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
  }

  async read({ bucket, key }: ObjectRef): Promise<Uint8Array> {
    const response = await notFoundAs(key, () => this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
  }

  async write({ bucket, key }: ObjectRef, body: Uint8Array, contentType: string): Promise<void> {
    await callAws(`Writing ${key}`, () =>
      this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })),
    );
  }
}

async function notFoundAs<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await callAws(`Reading ${key}`, call);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new UploadNotFound(key);
    throw error;
  }
}

let objects: ObjectStore | undefined;

/** The ObjectStore of this container. */
export function s3Objects(): ObjectStore {
  objects ??= new S3Objects(s3Client());
  return objects;
}
