import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3Error from 's3rver/lib/models/error';
import S3Object from 's3rver/lib/models/object';

/**
 * The file-level rules of the local S3 store: a key is a name, never a path. Files are named by the SHA-256 of the
 * key (64 hex characters, whatever the key holds: `../`, `/abs`, `%2e`, backslashes, NUL, 1,024 bytes of CJK), so
 * nothing lands outside the store's folder and no name is too long for the file system. Keys and bucket names are
 * checked here with S3's own errors.
 */
export const MAX_KEY_BYTES = 1024;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export function isBucketName(name: unknown): name is string {
  return typeof name === 'string' && BUCKET_NAME.test(name) && !name.includes('..');
}

/** The key as stored, or S3's KeyTooLongError; a key is any string of at most 1,024 UTF-8 bytes. */
export function checkKey(key: unknown): string {
  const text = String(key ?? '');
  const size = Buffer.byteLength(text, 'utf8');
  if (text === '') throw new S3Error('InvalidArgument', 'An object key must not be empty.');
  if (size > MAX_KEY_BYTES)
    throw new S3Error('KeyTooLongError', 'Your key is too long', {
      MaxSizeAllowed: String(MAX_KEY_BYTES),
      Size: String(size),
    });
  return text;
}

/** s3rver's upload ids are 32 hex digits; anything else names no upload (and never a path). */
export function checkUploadId(uploadId: unknown): string {
  if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId))
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    );
  return uploadId;
}

export function checkPartNumber(partNumber: unknown): number {
  const number = Number(partNumber);
  if (typeof partNumber !== 'string' && typeof partNumber !== 'number') throw invalidPartNumber();
  if (!Number.isInteger(number) || number < 1 || number > 10000) throw invalidPartNumber();
  return number;
}

function invalidPartNumber(): Error {
  return new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
    ArgumentName: 'partNumber',
  });
}

export function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A fresh name in `dir` for a file that is renamed into place once complete. */
export function tempName(dir: string): string {
  return path.join(dir, `${randomUUID()}.part`);
}

/** Writes a body to a new file, measuring it; the file is removed when the body fails or the client goes away. */
export async function writeContent(content: Readable | Buffer, file: string): Promise<{ size: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, meter, createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { size, md5: hash.digest('hex') };
}

/** Replaces `file` with `value` as JSON in one rename, so a reader sees the old or the new document, never half. */
export async function writeJsonAtomic(file: string, tempDir: string, value: unknown): Promise<void> {
  const temp = tempName(tempDir);
  await writeFile(temp, JSON.stringify(value));
  await rename(temp, file);
}

export async function readJsonIfAny<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Runs `work` for one name at a time (others wait their turn), so concurrent writes of one key commit in order. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return result;
  }
}

/** What S3 stores of a request's headers: the standard content headers and x-amz-meta-*. */
export function storedMetadata(headers: Record<string, unknown>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined) continue;
    if (S3Object.ALLOWED_METADATA.includes(lower) || lower.startsWith('x-amz-meta-')) kept[lower] = String(value);
  }
  return kept;
}
