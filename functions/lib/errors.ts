import { CONVERTIBLE_FORMATS, SUPPORTED_FORMATS } from './image-metadata';

/**
 * Every error the workflow can end with. Each class's `name` is the exact string the ASL matches in
 * `ErrorEquals` (the Lambda runtime reports `error.name` as the errorType), so the names are part of the contract.
 */

abstract class WorkflowError extends Error {
  abstract override readonly name: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The object is not a supported format (detected from its bytes, never from its name). The message names what the
 * workflow takes: the formats it processes and those it converts to JPEG first; which of those a stack converts is
 * its ConvertFormats setting, which the steps that raise this error do not all read, so the message says so.
 */
export class NotSupportedImageType extends WorkflowError {
  override readonly name = 'NotSupportedImageType';
  constructor(readonly format: string) {
    super(
      `Image format ${format} is not supported; ${listed(SUPPORTED_FORMATS)} are processed, and ` +
        `${listed(CONVERTIBLE_FORMATS)} are converted to JPEG first when ConvertFormats lists them`,
    );
  }
}

function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

/** The S3 key does not follow `private/{userId}/uploads/[{albumId}/]{fileName}`. */
export class InvalidUploadKey extends WorkflowError {
  override readonly name = 'InvalidUploadKey';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid upload key "${key}": ${reason}`);
  }
}

/** Header dimensions exceed the pixel budget: refused before any pixel is decoded (decompression bomb guard). */
export class ImageTooLarge extends WorkflowError {
  override readonly name = 'ImageTooLarge';
  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(`Image of ${width}x${height} pixels exceeds the limit of ${maxPixels} pixels`);
  }
}

/** The object is larger than the thumbnail step will download, whatever its dimensions say. */
export class UploadTooLarge extends WorkflowError {
  override readonly name = 'UploadTooLarge';
  constructor(
    readonly key: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`Object ${key} is ${sizeBytes} bytes; the thumbnail step reads at most ${maxBytes}`);
  }
}

/** The bytes claim a supported format but cannot be decoded (truncated, corrupt, missing dimensions). */
export class CorruptImage extends WorkflowError {
  override readonly name = 'CorruptImage';
}

/** The uploaded object no longer exists (deleted or overwritten before processing reached it). */
export class UploadNotFound extends WorkflowError {
  override readonly name = 'UploadNotFound';
  constructor(readonly key: string) {
    super(`Object ${key} no longer exists`);
  }
}

/** A newer upload of the same key owns the item; this execution must not write over it. */
export class UploadSuperseded extends WorkflowError {
  override readonly name = 'UploadSuperseded';
  constructor(
    readonly key: string,
    readonly sequencer: string,
  ) {
    super(`A newer upload of ${key} than sequencer ${sequencer} owns the item`);
  }
}

/** A required environment variable is missing or malformed: a deployment error, never retried. */
export class InvalidConfiguration extends WorkflowError {
  override readonly name = 'InvalidConfiguration';
}

/** The input event does not have the shape this function expects. */
export class InvalidEvent extends WorkflowError {
  override readonly name = 'InvalidEvent';
}

/**
 * A failure that may succeed when tried again: throttling, 5xx, network errors. The state machine retries
 * exactly this name (plus Lambda's own service errors) with backoff; every other error is permanent.
 */
export class TransientError extends WorkflowError {
  override readonly name = 'TransientError';
}

/**
 * An execution of ImageProcessing ended FAILED, TIMED_OUT or ABORTED without any step recording the upload's outcome
 * (RecordFailure failed too, the execution was stopped or timed out, the local stack was cut off): ReconcileExecution
 * records it on the item under this name, one per status, with the execution's own error and cause in the message.
 */
export class ExecutionFailed extends WorkflowError {
  override readonly name = 'ExecutionFailed';
}

export class ExecutionTimedOut extends WorkflowError {
  override readonly name = 'ExecutionTimedOut';
}

export class ExecutionAborted extends WorkflowError {
  override readonly name = 'ExecutionAborted';
}

/** Names of the errors that are permanent by design; useful to tests and to the ASL checks. */
export const PERMANENT_ERROR_NAMES = [
  'NotSupportedImageType',
  'InvalidUploadKey',
  'ImageTooLarge',
  'UploadTooLarge',
  'CorruptImage',
  'UploadNotFound',
  'UploadSuperseded',
  'InvalidConfiguration',
  'InvalidEvent',
] as const;
