import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { UploadRef } from '../../functions/lib/image-item';
import { imageIdFor, parseUploadKey } from '../../functions/lib/upload-key';
import { PROJECT_ROOT } from '../../local/template';

/** The committed test inputs: photos (test/fixtures/images, with their licences) and the events/ fixtures. */
export const FIXTURE_IMAGES = path.join(PROJECT_ROOT, 'test/fixtures/images');
export const BUCKET = 'photorepo';
export const USER_ID = 'us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11';

export function fixtureImage(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURE_IMAGES, name)));
}

/** An events/ fixture, the same file `sam local invoke -e` uses. */
export function eventFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'events', name), 'utf8')) as T;
}

/** The UploadRef S3Trigger would build for this file name. */
export function uploadFor(fileName: string, sequencer = '0065A1B2C3D4E5F601', albumId = 'holidays'): UploadRef {
  const key = `private/${USER_ID}/uploads/${albumId}/${fileName}`;
  return {
    ...parseUploadKey(key),
    bucket: BUCKET,
    imageId: imageIdFor(key),
    sequencer,
    eventTime: '2026-11-22T10:15:30Z',
  };
}
