import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectVersions } from '../delete-cascade';
import { callAws } from './transient';
import { s3Client } from './s3-client';

/**
 * The bucket is versioned: deleting a key without a version id only hides it behind a delete marker. A deleted
 * photo is meant to be gone, so its original, thumbnail and rendition lose every version (docs/architecture.md).
 * Listing is by prefix = the key; versions of longer keys sharing the prefix are skipped.
 */
interface VersionEntry {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
}

const DELETE_BATCH = 1000;

export class S3ObjectVersions implements ObjectVersions {
  constructor(private readonly s3: () => S3Client) {}

  async currentExists(bucket: string, key: string): Promise<boolean> {
    const latest = (await this.versionsOf(bucket, key)).find((entry) => entry.isLatest);
    return latest !== undefined && !latest.deleteMarker;
  }

  async deleteEveryVersion(bucket: string, key: string): Promise<number> {
    const versions = await this.versionsOf(bucket, key);
    for (let start = 0; start < versions.length; start += DELETE_BATCH) {
      const batch = versions.slice(start, start + DELETE_BATCH);
      const result = await callAws(`Deleting ${key}`, () =>
        this.s3().send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((entry) => ({ Key: entry.key, VersionId: entry.versionId })), Quiet: true },
          }),
        ),
      );
      const failed = result.Errors?.[0];
      if (failed)
        throw new Error(`S3 did not delete ${key} version ${failed.VersionId}: ${failed.Code} ${failed.Message}`);
    }
    return versions.length;
  }

  private async versionsOf(bucket: string, key: string): Promise<VersionEntry[]> {
    const entries: VersionEntry[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await callAws(`Listing the versions of ${key}`, () =>
        this.s3().send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: key,
            ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
            ...(versionIdMarker !== undefined ? { VersionIdMarker: versionIdMarker } : {}),
          }),
        ),
      );
      const listed = [
        ...(page.Versions ?? []).map((v) => ({ ...v, deleteMarker: false })),
        ...(page.DeleteMarkers ?? []).map((m) => ({ ...m, deleteMarker: true })),
      ];
      for (const entry of listed) {
        if (entry.Key !== key || !entry.VersionId) continue;
        entries.push({
          key,
          versionId: entry.VersionId,
          isLatest: entry.IsLatest === true,
          deleteMarker: entry.deleteMarker,
        });
      }
      // Keys are listed in order: once the listing has moved past this key, nothing more is of interest.
      if (!page.IsTruncated || (page.NextKeyMarker !== undefined && page.NextKeyMarker > key)) return entries;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }
}

export const objectVersions = new S3ObjectVersions(s3Client);
