import { createHash } from 'node:crypto';
import { TransientError, UploadNotFound } from '../../functions/lib/errors';
import type { ExecutionStarter } from '../../functions/lib/executions';
import type { FaceDetail, ModerationLabel, StoredLabel, UploadRef } from '../../functions/lib/image-item';
import type { ImageMetadata } from '../../functions/lib/image-metadata';
import type { FinishDetails, ImageStore, StartOutcome } from '../../functions/lib/image-store';
import {
  WriteConflict,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type ObjectVersionRemover,
  type WriteOptions,
} from '../../functions/lib/object-store';
import type { ImageRecognition, LabelLimits } from '../../functions/lib/recognition';

/**
 * In-memory fakes of the core's own ports (functions/lib/object-store.ts, image-store.ts, recognition.ts,
 * executions.ts), for tests of the core that must not depend on an AWS SDK. Each records what it was asked, in order,
 * in the one `calls` list a test can share between fakes.
 */
export type Calls = string[];

interface StoredObject {
  body: Uint8Array;
  contentType?: string;
  metadata?: Record<string, string>;
  etag: string;
  versionId: string;
}

/**
 * S3 as the steps use it: versions (every write is a new version; reads name one or take the current), user metadata,
 * ETags (a hash of the bytes, as S3's) and conditional writes (`If-Match`, `If-None-Match: *`, WriteConflict).
 */
export class MemoryObjects implements ObjectStore, ObjectVersionRemover {
  readonly objects = new Map<string, StoredObject>();
  readonly versions = new Map<string, StoredObject[]>();
  lastModified: Date | undefined = new Date('2026-11-22T10:15:31Z');
  private written = 0;

  constructor(readonly calls: Calls = []) {}

  /** Stores a new version of `key` (its id given, or v1, v2, ...) and makes it the current one. */
  put(key: string, body: Uint8Array, metadata?: Record<string, string>, id?: string): StoredObject {
    const versionId = id ?? `v${(this.written += 1)}`;
    const stored: StoredObject = { body, etag: etagOf(body), versionId, ...(metadata ? { metadata } : {}) };
    this.objects.set(key, stored);
    this.versions.set(key, [...(this.versions.get(key) ?? []), stored]);
    return stored;
  }

  async head(ref: ObjectRef): Promise<ObjectHead> {
    this.calls.push(`head ${ref.key}`);
    const found = this.object(ref);
    const sizeBytes = found.body.byteLength;
    return this.lastModified ? { sizeBytes, lastModified: this.lastModified } : { sizeBytes };
  }

  async readRange(ref: ObjectRef, start: number, endExclusive: number): Promise<Uint8Array> {
    this.calls.push(`readRange ${ref.key} ${start}-${endExclusive}`);
    return this.object(ref).body.slice(start, endExclusive);
  }

  async read(ref: ObjectRef): Promise<Uint8Array> {
    this.calls.push(`read ${ref.key}${ref.versionId ? `@${ref.versionId}` : ''}`);
    return this.object(ref).body;
  }

  async headIfAny({ key }: ObjectRef): Promise<ObjectHead | undefined> {
    this.calls.push(`headIfAny ${key}`);
    const found = this.objects.get(key);
    if (!found) return undefined;
    const { body, etag, versionId, metadata } = found;
    return { sizeBytes: body.byteLength, etag, versionId, ...(metadata ? { metadata } : {}) };
  }

  async write({ key }: ObjectRef, body: Uint8Array, contentType: string, options: WriteOptions = {}) {
    this.calls.push(`write ${key}`);
    const current = this.objects.get(key);
    const { condition } = options;
    if (condition && 'ifNoneMatch' in condition && current) throw new WriteConflict(`${key} exists`);
    if (condition && 'ifMatch' in condition && current?.etag !== condition.ifMatch)
      throw new WriteConflict(`${key} changed`);
    const stored = this.put(key, body, options.metadata);
    stored.contentType = contentType;
    return { versionId: stored.versionId, etag: stored.etag };
  }

  /** Deletes one version for good; the version under it becomes current if this one was (not after a delete marker). */
  async deleteVersion({ key, versionId }: ObjectRef & { versionId: string }): Promise<void> {
    this.calls.push(`deleteVersion ${key}@${versionId}`);
    const remaining = (this.versions.get(key) ?? []).filter((version) => version.versionId !== versionId);
    this.versions.set(key, remaining);
    if (this.objects.get(key)?.versionId !== versionId) return;
    const under = remaining.at(-1);
    if (under) this.objects.set(key, under);
    else this.objects.delete(key);
  }

  /** A delete without a version id: a delete marker hides the key, its versions stay. */
  deleteCurrent(key: string): void {
    this.calls.push(`delete ${key}`);
    this.objects.delete(key);
  }

  private object({ key, versionId }: ObjectRef): StoredObject {
    const found = versionId
      ? this.versions.get(key)?.find((version) => version.versionId === versionId)
      : this.objects.get(key);
    if (!found) throw new UploadNotFound(key);
    return found;
  }
}

/** An ETag as S3 makes one for a single-part upload: the quoted MD5 of the bytes. */
export const etagOf = (body: Uint8Array) => `"${createHash('md5').update(body).digest('hex')}"`;

export class RecordingStore implements ImageStore {
  startOutcome: StartOutcome = 'started';

  constructor(readonly calls: Calls = []) {}

  async startProcessing(upload: UploadRef, executionArn: string): Promise<StartOutcome> {
    this.calls.push(`startProcessing ${upload.key} ${executionArn}`);
    return this.startOutcome;
  }
  async saveMetadata(upload: UploadRef, _metadata: ImageMetadata): Promise<void> {
    this.calls.push(`saveMetadata ${upload.key}`);
  }
  /** What each finish wrote, in order. */
  readonly finished: { status: string; details: FinishDetails }[] = [];
  async finish(upload: UploadRef, status: string, details: FinishDetails): Promise<void> {
    this.calls.push(`finish ${upload.key} ${status}`);
    this.finished.push({ status, details });
  }
}

export class RecordingExecutions implements ExecutionStarter {
  answer: 'started' | 'duplicate' = 'started';
  readonly inputs: unknown[] = [];

  constructor(readonly calls: Calls = []) {}

  async start(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'duplicate'> {
    this.calls.push(`start ${stateMachineArn} ${name}`);
    this.inputs.push(input);
    return this.answer;
  }
}

/** Answers `labels`, `faces` and `moderation`, or throws what a test puts in the matching `...Error`. */
export class FakeRecognition implements ImageRecognition {
  labels: StoredLabel[] = [{ name: 'Castle', confidence: 81.46, parents: ['Building'] }];
  faces: FaceDetail[] = [];
  moderation: ModerationLabel[] = [];
  labelsError: Error | undefined;
  facesError: Error | undefined;
  moderationError: Error | undefined;
  readonly limits: (LabelLimits | number)[] = [];

  constructor(readonly calls: Calls = []) {}

  async detectLabels({ key }: ObjectRef, limits: LabelLimits): Promise<StoredLabel[]> {
    this.calls.push(`detectLabels ${key}`);
    this.limits.push(limits);
    if (this.labelsError) throw this.labelsError;
    return this.labels;
  }

  async detectFaces({ key }: ObjectRef): Promise<FaceDetail[]> {
    this.calls.push(`detectFaces ${key}`);
    if (this.facesError) throw this.facesError;
    return this.faces;
  }

  async detectModerationLabels({ key }: ObjectRef, minConfidence: number): Promise<ModerationLabel[]> {
    this.calls.push(`detectModerationLabels ${key}`);
    this.limits.push(minConfidence);
    if (this.moderationError) throw this.moderationError;
    return this.moderation;
  }
}

export const transient = (what: string) => new TransientError(`${what} failed transiently: ThrottlingException`);
