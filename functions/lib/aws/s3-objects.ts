import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UploadNotFound } from '../errors';
import type { ObjectHead, ObjectStore } from '../object-store';
import { s3Client } from './s3-client';
import { callAws } from './transient';

export async function headObject(s3: S3Client, bucket: string, key: string): Promise<ObjectHead> {
  const head = await notFoundAs(key, () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  return {
    sizeBytes: head.ContentLength ?? 0,
    ...(head.LastModified ? { lastModified: head.LastModified } : {}),
    ...(head.ETag ? { etag: head.ETag } : {}),
  };
}

/** Bytes [start, endExclusive) of an object; fewer at the end of the object. */
export async function readObjectRange(
  s3: S3Client,
  bucket: string,
  key: string,
  start: number,
  endExclusive: number,
): Promise<Uint8Array> {
  if (endExclusive <= start) return new Uint8Array(0);
  const response = await notFoundAs(key, () =>
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` })),
  );
  return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
}

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const response = await notFoundAs(key, () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  return response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
}

export async function writeObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  contentType: string,
): Promise<void> {
  await callAws(`Writing ${key}`, () =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })),
  );
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

/** The ObjectStore of this container, on S3. */
export function s3Objects(): ObjectStore {
  objects ??= objectStoreOn(s3Client());
  return objects;
}

/** The ObjectStore on S3: reads turn "not found" into UploadNotFound; every call types transient errors. */
export function objectStoreOn(s3: S3Client): ObjectStore {
  return {
    head: ({ bucket, key }) => headObject(s3, bucket, key),
    readRange: ({ bucket, key }, start, endExclusive) => readObjectRange(s3, bucket, key, start, endExclusive),
    read: ({ bucket, key }) => readObject(s3, bucket, key),
    write: ({ bucket, key }, body, contentType) => writeObject(s3, bucket, key, body, contentType),
  };
}
