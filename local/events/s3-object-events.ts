import { randomUUID } from 'node:crypto';

/**
 * The EventBridge events S3 sends for a bucket with EventBridge notifications on, built from what the local S3
 * reports (s3rver gives the raw key, a malformed bucket ARN and a millisecond sequencer, so none of it is reused).
 */
export interface ObjectChange {
  kind: 'created' | 'deleted';
  bucket: string;
  /** The object key as stored, not encoded. */
  key: string;
  size?: number;
  etag?: string;
  /** The version the write created (local/s3/object-versions.ts), carried as `version-id` as S3 does. */
  versionId?: string;
  /** PutObject, CopyObject, PostObject, CompleteMultipartUpload, DeleteObject. */
  reason: string;
  sourceIp?: string;
  time?: Date;
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * Keys in S3's EventBridge events are percent-encoded, with "/" kept and "+" a literal plus (what
 * functions/lib/upload-key.ts decodeEventKey undoes); a space is %20.
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%2B/g, '+');
}

/**
 * Sequencers order the events of one key: S3 compares them as hex strings of equal length. Fixed width, based on the
 * clock (so they still grow after a restart) and strictly increasing per key within a process.
 */
export class Sequencers {
  private readonly last = new Map<string, bigint>();

  next(bucket: string, key: string, now = Date.now()): string {
    const id = `${bucket}/${key}`;
    const candidate = BigInt(now) * 1_000_000n;
    const previous = this.last.get(id);
    const value = previous !== undefined && candidate <= previous ? previous + 1n : candidate;
    this.last.set(id, value);
    return value.toString(16).toUpperCase().padStart(18, '0');
  }
}

export function objectEvent(
  change: ObjectChange,
  sequencer: string,
  region: string,
  accountId: string,
): EventBridgeEvent {
  const created = change.kind === 'created';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: accountId,
    time: (change.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:s3:::${change.bucket}`],
    detail: {
      version: '0',
      bucket: { name: change.bucket },
      object: {
        key: encodeEventKey(change.key),
        ...(created && change.size !== undefined ? { size: change.size } : {}),
        ...(created && change.etag ? { etag: change.etag } : {}),
        ...(created && change.versionId ? { 'version-id': change.versionId } : {}),
        sequencer,
      },
      'request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      requester: accountId,
      'source-ip-address': change.sourceIp ?? '127.0.0.1',
      reason: change.reason,
      ...(created ? {} : { 'deletion-type': 'Permanently Deleted' }),
    },
  };
}
