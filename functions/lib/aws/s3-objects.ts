import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UploadNotFound } from '../errors';
import {
  WriteConflict,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type ObjectVersionRemover,
  type WriteOptions,
} from '../object-store';
import { countBytesRead, countBytesWritten } from '../metrics';
import { s3Client } from './s3-client';
import { callAws } from './transient';

/**
 * S3's answers for an object or version that is not there (with s3:ListBucket on the prefix; without it S3 says
 * AccessDenied, which the template's policies avoid): a deleted upload is UploadNotFound, not an access error.
 */
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
/** A conditional write that lost: the object changed (412), or another conditional write was in flight (409). */
const CONDITION_LOST = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);

const version = ({ versionId }: ObjectRef) => (versionId ? { VersionId: versionId } : {});

export async function headObject(s3: S3Client, object: ObjectRef): Promise<ObjectHead> {
  const head = await notFoundAs(object.key, () =>
    s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, ...version(object) })),
  );
  return {
    sizeBytes: head.ContentLength ?? 0,
    ...(head.LastModified ? { lastModified: head.LastModified } : {}),
    ...(head.ETag ? { etag: head.ETag } : {}),
    ...(head.VersionId ? { versionId: head.VersionId } : {}),
    ...(head.Metadata && Object.keys(head.Metadata).length > 0 ? { metadata: head.Metadata } : {}),
  };
}

/** Bytes [start, endExclusive) of an object; fewer at the end of the object. */
export async function readObjectRange(
  s3: S3Client,
  object: ObjectRef,
  start: number,
  endExclusive: number,
): Promise<Uint8Array> {
  if (endExclusive <= start) return new Uint8Array(0);
  const response = await notFoundAs(object.key, () =>
    s3.send(
      new GetObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        ...version(object),
        Range: `bytes=${start}-${endExclusive - 1}`,
      }),
    ),
  );
  return countBytesRead(response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0));
}

export async function readObject(s3: S3Client, object: ObjectRef): Promise<Uint8Array> {
  const response = await notFoundAs(object.key, () =>
    s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...version(object) })),
  );
  return countBytesRead(response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0));
}

export async function writeObject(
  s3: S3Client,
  { bucket, key }: ObjectRef,
  body: Uint8Array,
  contentType: string,
  options: WriteOptions = {},
) {
  const { metadata, condition } = options;
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: body,
    ContentType: contentType,
    ...(metadata ? { Metadata: metadata } : {}),
    ...(condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
    ...(condition && 'ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : {}),
  });
  // A lost condition is named before callAws looks at it: S3 may mark a 409 retryable, which is not transient here.
  const written = await callAws(`Writing ${key}`, async () => {
    try {
      return await s3.send(command);
    } catch (error) {
      if (CONDITION_LOST.has((error as Error).name)) throw new WriteConflict(`${key} changed while it was written`);
      throw error;
    }
  });
  countBytesWritten(body.byteLength);
  const { VersionId: versionId, ETag: etag } = written ?? {};
  return { ...(versionId ? { versionId } : {}), ...(etag ? { etag } : {}) };
}

/** Deletes exactly one version; one already gone (a cascade came first) counts as deleted. */
export async function deleteObjectVersion(s3: S3Client, { bucket, key, versionId }: ObjectRef & { versionId: string }) {
  try {
    await callAws(`Deleting ${key} version ${versionId}`, () =>
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
    );
  } catch (error) {
    if (!NOT_FOUND.has((error as Error).name)) throw error;
  }
}

async function notFoundAs<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await callAws(`Reading ${key}`, call);
  } catch (error) {
    if (NOT_FOUND.has((error as Error).name)) throw new UploadNotFound(key);
    throw error;
  }
}

/** The head, or undefined for an object that is not there. */
async function headIfAny(s3: S3Client, object: ObjectRef): Promise<ObjectHead | undefined> {
  try {
    return await headObject(s3, object);
  } catch (error) {
    if (error instanceof UploadNotFound) return undefined;
    throw error;
  }
}

type S3ObjectStore = ObjectStore & ObjectVersionRemover;

let objects: S3ObjectStore | undefined;

/** The ObjectStore of this container, on S3. */
export function s3Objects(): S3ObjectStore {
  objects ??= objectStoreOn(s3Client());
  return objects;
}

/** The ObjectStore on S3: reads turn "not found" into UploadNotFound; every call types transient errors. */
export function objectStoreOn(s3: S3Client): S3ObjectStore {
  return {
    head: (object) => headObject(s3, object),
    readRange: (object, start, endExclusive) => readObjectRange(s3, object, start, endExclusive),
    read: (object) => readObject(s3, object),
    write: (object, body, contentType, options) => writeObject(s3, object, body, contentType, options),
    headIfAny: (object) => headIfAny(s3, object),
    deleteVersion: (object) => deleteObjectVersion(s3, object),
  };
}
