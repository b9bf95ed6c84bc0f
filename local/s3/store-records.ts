import type { WriteCondition } from './object-versions';

/** What the hashed store keeps per object and hands out (./hashed-store.ts). */
export interface ObjectRecord {
  key: string;
  /** The data file's name in the record's folder. */
  file: string;
  md5: string;
  size: number;
  lastModified: string;
  metadata: Record<string, string>;
  /** A new one per write (object-versions.ts); absent in records older than version ids: the version "null". */
  versionId?: string;
}

/** How a write commits: with the version id it was given, and on the condition it carries. */
export interface CommitOptions {
  versionId?: string;
  condition?: WriteCondition;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  versionId: string;
}
