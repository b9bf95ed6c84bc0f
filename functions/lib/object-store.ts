/**
 * What the steps need from the object store that holds the uploads and thumbnails (S3). The core speaks these types;
 * an adapter (functions/lib/aws/s3-objects.ts) implements them.
 */
export interface ObjectRef {
  bucket: string;
  key: string;
  /**
   * The version to read; absent reads the current one. An upload is read at the version its S3 event named, so a
   * newer upload of the same key, landing mid-execution, never mixes into an older execution's results.
   */
  versionId?: string;
}

export interface ObjectHead {
  sizeBytes: number;
  lastModified?: Date;
  etag?: string;
  versionId?: string;
  /** User metadata (`x-amz-meta-*`), names in lower case without the prefix. */
  metadata?: Record<string, string>;
}

/** Reads throw UploadNotFound when the object does not exist, TransientError when trying again may succeed. */
export interface ObjectReader {
  head(object: ObjectRef): Promise<ObjectHead>;
  /** Bytes [start, endExclusive) of the object; fewer at its end. */
  readRange(object: ObjectRef, start: number, endExclusive: number): Promise<Uint8Array>;
  read(object: ObjectRef): Promise<Uint8Array>;
}

/**
 * A conditional write (S3's `If-None-Match: *` and `If-Match: <etag>` on PutObject): the object is written only if
 * none exists, or only if the current one still has this ETag. A write whose condition no longer holds throws
 * WriteConflict instead of replacing what another writer put there meanwhile.
 */
export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string };

export interface WriteOptions {
  /** User metadata stored with the object (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
  condition?: WriteCondition;
}

/** What the store made of a write: the new object's version (versioned buckets) and ETag, when it says. */
export interface WrittenObject {
  versionId?: string;
  etag?: string;
}

export interface ObjectWriter {
  write(object: ObjectRef, body: Uint8Array, contentType: string, options?: WriteOptions): Promise<WrittenObject>;
  /** The current object's head, or undefined when there is none (no UploadNotFound: absence is an answer here). */
  headIfAny(object: ObjectRef): Promise<ObjectHead | undefined>;
}

export type ObjectStore = ObjectReader & ObjectWriter;

/**
 * Deleting one version of an object for good (S3's DeleteObject with a version id). Exact: a version another writer
 * stored meanwhile is not touched. A version that is already gone is not an error.
 */
export interface ObjectVersionRemover {
  deleteVersion(object: ObjectRef & { versionId: string }): Promise<void>;
}

/**
 * A conditional write lost a race: the object changed (412 PreconditionFailed) or another conditional write was in
 * flight (409 ConditionalRequestConflict). The writer reads the object again and decides again; it never leaves the
 * step (functions/lib/newest-write.ts turns repeated losses into a TransientError), so it is not a workflow error.
 */
export class WriteConflict extends Error {
  override readonly name = 'WriteConflict';
}
