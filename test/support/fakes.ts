import { TransientError, UploadNotFound } from '../../functions/lib/errors';
import type { ExecutionStarter } from '../../functions/lib/executions';
import type { FaceDetail, ModerationLabel, StoredLabel, UploadRef } from '../../functions/lib/image-item';
import type { ImageMetadata } from '../../functions/lib/image-metadata';
import type { FinishDetails, ImageStore, StartOutcome } from '../../functions/lib/image-store';
import type { ObjectHead, ObjectRef, ObjectStore } from '../../functions/lib/object-store';
import type { ImageRecognition, LabelLimits } from '../../functions/lib/recognition';

/**
 * In-memory fakes of the core's own ports (functions/lib/object-store.ts, image-store.ts, recognition.ts,
 * executions.ts), for tests of the core that must not depend on an AWS SDK. Each records what it was asked, in order,
 * in the one `calls` list a test can share between fakes.
 */
export type Calls = string[];

export class MemoryObjects implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType?: string }>();
  lastModified: Date | undefined = new Date('2026-11-22T10:15:31Z');

  constructor(readonly calls: Calls = []) {}

  put(key: string, body: Uint8Array): void {
    this.objects.set(key, { body });
  }

  async head({ key }: ObjectRef): Promise<ObjectHead> {
    this.calls.push(`head ${key}`);
    const sizeBytes = this.object(key).byteLength;
    return this.lastModified ? { sizeBytes, lastModified: this.lastModified } : { sizeBytes };
  }

  async readRange({ key }: ObjectRef, start: number, endExclusive: number): Promise<Uint8Array> {
    this.calls.push(`readRange ${key} ${start}-${endExclusive}`);
    return this.object(key).slice(start, endExclusive);
  }

  async read({ key }: ObjectRef): Promise<Uint8Array> {
    this.calls.push(`read ${key}`);
    return this.object(key);
  }

  async write({ key }: ObjectRef, body: Uint8Array, contentType: string): Promise<void> {
    this.calls.push(`write ${key}`);
    this.objects.set(key, { body, contentType });
  }

  private object(key: string): Uint8Array {
    const found = this.objects.get(key);
    if (!found) throw new UploadNotFound(key);
    return found.body;
  }
}

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
