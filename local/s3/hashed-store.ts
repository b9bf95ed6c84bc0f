import { randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import S3Bucket from 's3rver/lib/models/bucket';
import S3Error from 's3rver/lib/models/error';
import S3Object from 's3rver/lib/models/object';
import { KeyIndex, type ListPage, type ListQuery } from './key-index';
import { MultipartUploads } from './multipart-uploads';
import { commitOptionsOf, newVersionId, NULL_VERSION, writeRefusal } from './object-versions';
import type { CommitOptions, ListedObject, ObjectRecord } from './store-records';
import { bucketConfigs, objectConfigs } from './store-configs';
import {
  checkKey,
  hashOf,
  isBucketName,
  KeyedQueue,
  readJsonIfAny,
  storedMetadata,
  tempName,
  writeContent,
  writeJsonAtomic,
} from './store-files';

/**
 * The local S3's store, in place of s3rver's FilesystemStore (which makes each key a file path: `../` escapes the data
 * folder and a long segment crashes the stack with ENAMETOOLONG). Here a key is a name: each object is a data file
 * and a record (`<sha256 of key>.json`: the key, its metadata, which data file holds its bytes), under
 *
 *   <root>/<bucket>/objects/<first 2 hex digits>/<sha256>.json, <sha256>.<uuid>, <sha256>.<config>.xml
 *   <root>/<bucket>/config/<cors|website>.xml        <root>/<bucket>/uploads/<upload id>/ (multipart-uploads.ts)
 *   <root>/.tmp/                                     files being written, renamed into place once complete
 *
 * A write goes to a new data file and commits by replacing the record in one rename, so a reader sees the old object
 * or the new one, never a mix, and an aborted upload leaves nothing. The keys, in S3's order, are kept in memory
 * (key-index.ts), loaded from the records at start: one stack holds a data folder at a time (stack.lock).
 */
export type { CommitOptions, ListedObject, ObjectRecord } from './store-records';

const DATA_FILE = /^[0-9a-f]{64}\.[0-9a-f-]{36}$/;

export class HashedStore {
  private readonly indexes = new Map<string, KeyIndex>();
  private readonly commits = new KeyedQueue();
  private readonly uploads = new MultipartUploads(this);
  private readonly latestVersions = new Map<string, string>();
  readonly tempDir: string;

  constructor(readonly root: string) {
    this.tempDir = path.join(root, '.tmp');
  }

  /** Loads the keys of every bucket and clears what an interrupted write left. */
  async load(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    await mkdir(this.tempDir, { recursive: true });
    for (const bucket of await this.bucketNames()) await this.loadBucket(bucket);
  }

  // s3rver's store interface: buckets

  async listBuckets(): Promise<S3Bucket[]> {
    const buckets = await Promise.all((await this.bucketNames()).map((name) => this.getBucket(name)));
    return buckets.filter((bucket): bucket is S3Bucket => bucket !== null);
  }

  async getBucket(name: string): Promise<S3Bucket | null> {
    if (!isBucketName(name)) return null;
    try {
      const info = await stat(path.join(this.root, name));
      return info.isDirectory() ? new S3Bucket(name, info.birthtime) : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async putBucket(name: string): Promise<S3Bucket | null> {
    if (!isBucketName(name)) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.');
    await mkdir(path.join(this.root, name, 'objects'), { recursive: true });
    if (!this.indexes.has(name)) this.indexes.set(name, new KeyIndex());
    return this.getBucket(name);
  }

  async deleteBucket(name: string): Promise<void> {
    if (!isBucketName(name)) return;
    this.indexes.delete(name);
    await rm(path.join(this.root, name), { recursive: true, force: true });
  }

  reset(): void {
    throw new Error('The local stack never resets its store in place; npm run reset deletes the data folder.');
  }

  // objects

  async existsObject(bucket: string, key: string): Promise<boolean> {
    return this.indexes.get(bucket)?.has(String(key)) ?? false;
  }

  async putObject(object: S3Object): Promise<{ size: number; md5: string }> {
    const key = checkKey(object.key);
    const options = commitOptionsOf(object.content);
    const temp = tempName(this.tempDir);
    const { size, md5 } = await writeContent(object.content ?? Buffer.alloc(0), temp);
    await this.commit(object.bucket, key, temp, { size, md5, metadata: storedMetadata(object.metadata) }, options);
    return { size, md5 };
  }

  /**
   * Makes a complete file in tempDir the object's bytes: the record is replaced, the old data file removed. The
   * condition is checked against the object as it is when the write's turn comes, so it holds or the write fails.
   */
  commit(
    bucket: string,
    key: string,
    temp: string,
    fields: Omit<ObjectRecord, 'key' | 'file' | 'lastModified' | 'versionId'>,
    options: CommitOptions = {},
  ) {
    const where = this.paths(bucket, key);
    return this.commits.run(where.record, async () => {
      const previous = await readJsonIfAny<ObjectRecord>(where.record);
      const refusal = writeRefusal(options.condition, key, previous?.md5);
      if (refusal) {
        await rm(temp, { force: true });
        throw refusal;
      }
      await mkdir(where.dir, { recursive: true });
      const file = `${where.hash}.${randomUUID()}`;
      await rename(temp, path.join(where.dir, file));
      const versionId = options.versionId ?? newVersionId();
      const record: ObjectRecord = { key, file, ...fields, lastModified: new Date().toISOString(), versionId };
      await writeJsonAtomic(where.record, this.tempDir, record);
      if (previous && previous.file !== file && DATA_FILE.test(previous.file))
        await rm(path.join(where.dir, previous.file), { force: true });
      this.indexOf(bucket).add(key);
      // Read by the "Object Created" event s3rver emits right after this write resolves (latestVersion).
      this.latestVersions.set(`${bucket}/${key}`, versionId);
      return record;
    });
  }

  /**
   * The version id of the last write of a key in this process. s3rver emits a write's event in the same run of
   * promise callbacks that resolves the write, before any other write of the key (which has file I/O to do first)
   * can commit, so the event reads its own write's id.
   */
  latestVersion(bucket: string, key: string): string | undefined {
    return this.latestVersions.get(`${bucket}/${key}`);
  }

  async getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<S3Object | null> {
    const opened = await this.openObject(bucket, key);
    if (!opened) return null;
    const { record, handle } = opened;
    const metadata = metadataOf(record);
    const ranged = options !== undefined && (options.start !== undefined || options.end !== undefined);
    const lastByte = Math.max(0, record.size - 1);
    const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Infinity, lastByte) };
    if (ranged && (!Number.isSafeInteger(range.start) || range.start < 0 || range.end < range.start)) {
      await handle.close();
      return Object.assign(new S3Object(bucket, key, null, metadata), { range });
    }
    const content = handle.createReadStream(ranged ? range : {});
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    // S3Object keeps only known headers: the version id is added after, for s3rver to answer with the bytes.
    object.metadata['x-amz-version-id'] = record.versionId ?? NULL_VERSION;
    return object;
  }

  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, unknown> | null,
  ): Promise<Record<string, unknown>> {
    const key = checkKey(destKey);
    const opened = await this.openObject(srcBucket, srcKey);
    if (!opened) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
    const temp = tempName(this.tempDir);
    try {
      await copyFile(this.paths(srcBucket, srcKey).dataFile(opened.record.file), temp);
    } finally {
      await opened.handle.close();
    }
    const { md5, size } = opened.record;
    const metadata = replacementMetadata ? storedMetadata(replacementMetadata) : opened.record.metadata;
    return metadataOf(await this.commit(destBucket, key, temp, { md5, size, metadata }));
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.deleteIf(bucket, key, () => true);
  }

  /**
   * Deletes the object only while `versionId` is its current version, checked in the key's commit queue, so a write
   * that lands meanwhile (a newer version) is never the one removed, as S3's DeleteObject with a version id. True
   * when something was deleted.
   */
  async deleteVersion(bucket: string, key: string, versionId: string): Promise<boolean> {
    return (
      isBucketName(bucket) && this.deleteIf(bucket, key, (record) => (record.versionId ?? NULL_VERSION) === versionId)
    );
  }

  private async deleteIf(bucket: string, key: string, applies: (record: ObjectRecord) => boolean): Promise<boolean> {
    const where = this.paths(bucket, String(key));
    return this.commits.run(where.record, async () => {
      const record = await readJsonIfAny<ObjectRecord>(where.record);
      if (record && !applies(record)) return false;
      await rm(where.record, { force: true });
      if (record && DATA_FILE.test(record.file)) await rm(where.dataFile(record.file), { force: true });
      await objectConfigs.removeAll(where.dir, where.hash);
      this.indexes.get(bucket)?.delete(String(key));
      return record !== undefined;
    });
  }

  async listObjects(bucket: string, query: ListQuery): Promise<{ objects: S3Object[]; commonPrefixes: string[] }> {
    const page = this.list(bucket, query);
    const objects = await this.describe(bucket, page.keys);
    return {
      ...page,
      objects: objects.map(
        (object) =>
          new S3Object(bucket, object.key, null, {
            etag: object.etag,
            'last-modified': object.lastModified.toUTCString(),
            'content-length': object.size,
          }),
      ),
    };
  }

  list(bucket: string, query: ListQuery): ListPage {
    return this.indexOf(bucket).list(query);
  }

  /** The listing fields of keys (a key deleted meanwhile is left out). */
  async describe(bucket: string, keys: string[]): Promise<ListedObject[]> {
    const records = await Promise.all(keys.map((key) => readJsonIfAny<ObjectRecord>(this.paths(bucket, key).record)));
    return records
      .filter((record): record is ObjectRecord => record !== undefined)
      .map((record) => ({
        key: record.key,
        size: record.size,
        etag: JSON.stringify(record.md5),
        lastModified: new Date(record.lastModified),
        versionId: record.versionId ?? NULL_VERSION,
      }));
  }

  async sizeOf(bucket: string, key: string): Promise<number | undefined> {
    if (!isBucketName(bucket)) return undefined;
    return (await readJsonIfAny<ObjectRecord>(this.paths(bucket, key).record))?.size;
  }

  // multipart uploads

  initiateUpload(bucket: string, key: string, uploadId: string, headers: Record<string, unknown>): Promise<void> {
    return this.uploads.initiate(bucket, key, uploadId, headers);
  }

  putPart(bucket: string, uploadId: string, partNumber: unknown, content: Readable) {
    return this.uploads.putPart(bucket, uploadId, partNumber, content);
  }

  putObjectMultipart(bucket: string, uploadId: string, parts: { number: number; etag: string }[]) {
    return this.uploads.complete(bucket, uploadId, parts);
  }

  // configurations (cors, website on buckets; tagging on objects)

  getSubresource(bucket: string, key: string | undefined, type: string) {
    return key ? objectConfigs.get(this.paths(bucket, key), type) : bucketConfigs.get(this.bucketDir(bucket), type);
  }

  putSubresource(bucket: string, key: string | undefined, resource: { type: string; toXML(space?: number): string }) {
    if (key) return objectConfigs.put(this.paths(bucket, key), this.tempDir, resource);
    return bucketConfigs.put(this.bucketDir(bucket), this.tempDir, resource);
  }

  deleteSubresource(bucket: string, key: string | undefined, type: string) {
    return key
      ? objectConfigs.remove(this.paths(bucket, key), type)
      : bucketConfigs.remove(this.bucketDir(bucket), type);
  }

  // paths

  bucketDir(bucket: string): string {
    if (!isBucketName(bucket)) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist');
    return path.join(this.root, bucket);
  }

  paths(bucket: string, key: string) {
    const hash = hashOf(key);
    const dir = path.join(this.bucketDir(bucket), 'objects', hash.slice(0, 2));
    return {
      hash,
      dir,
      record: path.join(dir, `${hash}.json`),
      dataFile: (file: string) => path.join(dir, file),
    };
  }

  private indexOf(bucket: string): KeyIndex {
    let index = this.indexes.get(bucket);
    if (!index) this.indexes.set(bucket, (index = new KeyIndex()));
    return index;
  }

  /** The record and an open data file; a data file replaced between the two reads is read again. */
  private async openObject(bucket: string, key: string): Promise<{ record: ObjectRecord; handle: FileHandle } | null> {
    if (!isBucketName(bucket)) return null;
    const where = this.paths(bucket, String(key));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const record = await readJsonIfAny<ObjectRecord>(where.record);
      if (!record || !DATA_FILE.test(record.file)) return null;
      try {
        return { record, handle: await open(where.dataFile(record.file), 'r') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return null;
  }

  private async bucketNames(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && isBucketName(entry.name)).map((entry) => entry.name);
  }

  /** Indexes a bucket's records and removes data files no record names (left by a stop during a write). */
  private async loadBucket(bucket: string): Promise<void> {
    const index = this.indexOf(bucket);
    const objects = path.join(this.root, bucket, 'objects');
    for (const shard of await readdir(objects).catch(() => [] as string[])) {
      const dir = path.join(objects, shard);
      const files = await readdir(dir).catch(() => [] as string[]);
      const named = new Set<string>();
      for (const file of files.filter((name) => /^[0-9a-f]{64}\.json$/.test(name))) {
        const record = await readJsonIfAny<ObjectRecord>(path.join(dir, file));
        if (!record || typeof record.key !== 'string' || `${hashOf(record.key)}.json` !== file) continue;
        index.add(record.key);
        named.add(record.file);
      }
      for (const file of files) if (DATA_FILE.test(file) && !named.has(file)) await rm(path.join(dir, file));
    }
  }
}

function metadataOf(record: ObjectRecord): Record<string, string | number> {
  return {
    ...record.metadata,
    etag: JSON.stringify(record.md5),
    'last-modified': new Date(record.lastModified).toUTCString(),
    'content-length': record.size,
  };
}
