import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRekognitionService, type RekognitionService } from '../../../local/recognition';
import { FIXTURES } from './photos';

export const BUCKET = 'photos';
/** The first model load compiles the WASM kernels; generous for slow CI machines. */
export const MODEL_TIMEOUT_MS = 180_000;

/** The local S3 as the local stack would expose it: extra objects in memory, the rest read from the fixtures. */
export class FakeS3 {
  private readonly objects = new Map<string, Uint8Array>();

  put(key: string, bytes: Uint8Array): void {
    this.objects.set(key, bytes);
  }

  readonly readS3Object = async (bucket: string, key: string): Promise<Uint8Array> => {
    if (bucket !== BUCKET) throw new Error(`NoSuchBucket: ${bucket}`);
    const stored = this.objects.get(key);
    if (stored) return stored;
    if (key.includes('/') || key.includes('..')) throw new Error(`NoSuchKey: ${key}`);
    return readFile(path.join(FIXTURES, key));
  };
}

export const sharedS3 = new FakeS3();
let shared: RekognitionService | undefined;

/** One service, hence one model load, for the whole run; closed by the root hook below. */
export function sharedService(): RekognitionService {
  shared ??= createRekognitionService({ readS3Object: sharedS3.readS3Object });
  return shared;
}

export async function closeSharedService(): Promise<void> {
  await shared?.close();
  shared = undefined;
}

after(closeSharedService);

export const s3Image = (key: string) => ({ S3Object: { Bucket: BUCKET, Name: key } });
