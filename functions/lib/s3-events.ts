import { InvalidEvent } from './errors';
import { decodeEventKey } from './upload-key';

/** One object-created notice, whichever way S3 delivered it, with the key already decoded. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  sequencer: string;
  eventTime: string;
  sizeBytes?: number;
  etag?: string;
  versionId?: string;
}

interface EventBridgeObjectCreated {
  source: string;
  'detail-type': string;
  time: string;
  detail: {
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; 'version-id'?: string; sequencer: string };
  };
}

interface S3NotificationRecord {
  eventSource: string;
  eventName: string;
  eventTime: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/**
 * Accepts the EventBridge "Object Created" event (the template's wiring) and the classic S3 notification
 * (`Records[]`, for users who wire the bucket to the function directly). Other records are ignored.
 */
export function objectsCreatedIn(event: unknown): ObjectCreated[] {
  if (isEventBridgeObjectEvent(event, 'Object Created')) {
    const { bucket, object } = event.detail;
    return [
      {
        bucket: bucket.name,
        key: decodeEventKey(object.key, 'eventbridge'),
        sequencer: object.sequencer,
        eventTime: event.time,
        ...optional(object.size, object.etag, object['version-id']),
      },
    ];
  }
  const records = (event as { Records?: unknown } | null)?.Records;
  if (Array.isArray(records)) {
    return records.filter(isS3Record('ObjectCreated:')).map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeEventKey(record.s3.object.key, 's3-notification'),
      sequencer: record.s3.object.sequencer,
      eventTime: record.eventTime,
      ...optional(record.s3.object.size, record.s3.object.eTag, record.s3.object.versionId),
    }));
  }
  throw new InvalidEvent('Expected an EventBridge "Object Created" event or an S3 notification with Records');
}

function optional(size: number | undefined, etag: string | undefined, versionId: string | undefined) {
  return {
    ...(typeof size === 'number' ? { sizeBytes: size } : {}),
    ...(etag ? { etag } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/** One object-removed notice: which key, and the sequencer that orders it against the uploads of that key. */
export interface ObjectDeleted {
  bucket: string;
  key: string;
  sequencer: string;
  eventTime: string;
}

/** The EventBridge "Object Deleted" event (the template's wiring) or a classic notification's ObjectRemoved records. */
export function objectsDeletedIn(event: unknown): ObjectDeleted[] {
  if (isEventBridgeObjectEvent(event, 'Object Deleted')) {
    const { bucket, object } = event.detail;
    const key = decodeEventKey(object.key, 'eventbridge');
    return [{ bucket: bucket.name, key, sequencer: object.sequencer, eventTime: event.time }];
  }
  const records = (event as { Records?: unknown } | null)?.Records;
  if (Array.isArray(records)) {
    return records.filter(isS3Record('ObjectRemoved:')).map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeEventKey(record.s3.object.key, 's3-notification'),
      sequencer: record.s3.object.sequencer,
      eventTime: record.eventTime,
    }));
  }
  throw new InvalidEvent('Expected an EventBridge "Object Deleted" event or an S3 notification with Records');
}

function isEventBridgeObjectEvent(event: unknown, detailType: string): event is EventBridgeObjectCreated {
  const candidate = event as Partial<EventBridgeObjectCreated> | null;
  return (
    candidate?.source === 'aws.s3' &&
    candidate['detail-type'] === detailType &&
    typeof candidate.detail?.bucket?.name === 'string' &&
    typeof candidate.detail.object?.key === 'string' &&
    typeof candidate.detail.object.sequencer === 'string'
  );
}

const isS3Record =
  (eventNamePrefix: string) =>
  (record: unknown): record is S3NotificationRecord => {
    const candidate = record as Partial<S3NotificationRecord> | null;
    return (
      candidate?.eventSource === 'aws:s3' &&
      typeof candidate.eventName === 'string' &&
      candidate.eventName.startsWith(eventNamePrefix) &&
      typeof candidate.s3?.bucket?.name === 'string' &&
      typeof candidate.s3.object?.key === 'string' &&
      typeof candidate.s3.object.sequencer === 'string'
    );
  };
