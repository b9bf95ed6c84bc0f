import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3Error from 's3rver/lib/models/error';
import type { HashedStore } from './hashed-store';
import { storedMetadata } from './store-files';
import {
  checkKey,
  checkPartNumber,
  checkUploadId,
  readJsonIfAny,
  tempName,
  writeContent,
  writeJsonAtomic,
} from './store-files';

/**
 * Multipart uploads in the local S3 store: `<bucket>/uploads/<upload id>/upload.json` (the key and its metadata) and
 * one file per part (`<n>`, `<n>.json` with its ETag). The upload id and part number are checked before they name a
 * file; completing checks every listed part (it exists, its ETag matches, the numbers ascend) before assembling them.
 */
interface Upload {
  key: string;
  metadata: Record<string, string>;
}

interface Part {
  md5: string;
  size: number;
}

export class MultipartUploads {
  constructor(private readonly store: HashedStore) {}

  async initiate(bucket: string, key: string, uploadId: string, headers: Record<string, unknown>): Promise<void> {
    const dir = this.dirOf(bucket, uploadId);
    await mkdir(dir, { recursive: true });
    const upload: Upload = { key: checkKey(key), metadata: storedMetadata(headers) };
    await writeJsonAtomic(path.join(dir, 'upload.json'), this.store.tempDir, upload);
  }

  async putPart(bucket: string, uploadId: string, partNumber: unknown, content: Readable): Promise<Part> {
    const dir = this.dirOf(bucket, uploadId);
    await this.upload(dir);
    const number = checkPartNumber(partNumber);
    const temp = tempName(this.store.tempDir);
    const part = await writeContent(content, temp);
    await rename(temp, path.join(dir, String(number)));
    await writeJsonAtomic(path.join(dir, `${number}.json`), this.store.tempDir, part);
    return part;
  }

  async complete(bucket: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<Part> {
    const dir = this.dirOf(bucket, uploadId);
    const upload = await this.upload(dir);
    const files = await this.checkParts(dir, parts);
    const temp = tempName(this.store.tempDir);
    const assembled = await writeContent(Readable.from(concatenate(files)), temp);
    await this.store.commit(bucket, upload.key, temp, { ...assembled, metadata: upload.metadata });
    await rm(dir, { recursive: true, force: true });
    return assembled;
  }

  private dirOf(bucket: string, uploadId: string): string {
    return path.join(this.store.bucketDir(bucket), 'uploads', checkUploadId(uploadId));
  }

  private async upload(dir: string): Promise<Upload> {
    const upload = await readJsonIfAny<Upload>(path.join(dir, 'upload.json'));
    if (!upload) checkUploadId('');
    return upload as Upload;
  }

  private async checkParts(dir: string, parts: { number: number; etag: string }[]): Promise<string[]> {
    if (parts.length === 0)
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    const files: string[] = [];
    for (const [index, listed] of parts.entries()) {
      const number = checkPartNumber(listed.number);
      if (index > 0 && number <= (parts[index - 1] as { number: number }).number)
        throw new S3Error(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order of the part number.',
        );
      const part = await readJsonIfAny<Part>(path.join(dir, `${number}.json`));
      const file = path.join(dir, String(number));
      const present =
        part !== undefined &&
        (await stat(file).then(
          () => true,
          () => false,
        ));
      if (!present || part.md5 !== String(listed.etag).replace(/"/g, ''))
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
          { PartNumber: String(number) },
        );
      files.push(file);
    }
    return files;
  }
}

async function* concatenate(files: string[]): AsyncGenerator<Buffer> {
  for (const file of files) for await (const chunk of createReadStream(file)) yield chunk as Buffer;
}
