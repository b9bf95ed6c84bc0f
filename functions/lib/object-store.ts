/**
 * What the steps need from the object store that holds the uploads and thumbnails (S3). The core speaks these types;
 * an adapter (functions/lib/aws/s3-objects.ts) implements them.
 */
export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ObjectHead {
  sizeBytes: number;
  lastModified?: Date;
  etag?: string;
}

/** Reads throw UploadNotFound when the object does not exist, TransientError when trying again may succeed. */
export interface ObjectReader {
  head(object: ObjectRef): Promise<ObjectHead>;
  /** Bytes [start, endExclusive) of the object; fewer at its end. */
  readRange(object: ObjectRef, start: number, endExclusive: number): Promise<Uint8Array>;
  read(object: ObjectRef): Promise<Uint8Array>;
}

export interface ObjectWriter {
  write(object: ObjectRef, body: Uint8Array, contentType: string): Promise<void>;
}

export type ObjectStore = ObjectReader & ObjectWriter;
