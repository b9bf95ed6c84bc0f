import { InvalidEvent } from './errors';
import type { ErrorRecord, UploadRef } from './image-item';
import type { ProcessedResults } from './processing-result';
import { BRANCH_RESULT_FIELDS, type StepMetadata } from './workflow';

/**
 * The payloads the state machine hands each Task (see the Parameters in statemachine/*.asl.json).
 * Every step gets the upload and the execution id, so its logs and errors name both.
 */
export interface StepInput {
  upload: UploadRef;
  executionArn?: string;
}
export interface MetadataStepInput extends StepInput {
  metadata: StepMetadata;
}
export interface CompleteProcessingInput extends StepInput {
  metadata: StepMetadata;
  processed: ProcessedResults;
}
/** Catch blocks write `{ [stateName]: { Error, Cause } }` under $.failure, so the failed state is known. */
export interface RecordFailureInput extends StepInput {
  failure: Record<string, { Error?: string; Cause?: string }>;
}

export type { ErrorRecord };

export function requireStepInput(event: unknown): StepInput {
  const input = event as Partial<StepInput> | null;
  const upload = input?.upload as Partial<UploadRef> | undefined;
  const missing = (['bucket', 'key', 'userId', 'fileName', 'imageId', 'sequencer', 'eventTime'] as const).filter(
    (field) => typeof upload?.[field] !== 'string' || upload[field] === '',
  );
  if (!upload || missing.length > 0) {
    throw new InvalidEvent(`Expected { upload: UploadRef }; missing upload fields: ${missing.join(', ') || 'upload'}`);
  }
  return input as StepInput;
}

export function requireField<T>(event: unknown, field: string, check: (value: unknown) => boolean): T {
  const value = (event as Record<string, unknown> | null)?.[field];
  if (!check(value)) throw new InvalidEvent(`Expected field "${field}" in the step input`);
  return value as T;
}

export const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The ProcessImage results CompleteProcessing records: one object per branch. */
export function requireProcessed(event: unknown): ProcessedResults {
  const processed = requireField<ProcessedResults>(event, 'processed', isObject);
  for (const field of Object.values(BRANCH_RESULT_FIELDS)) {
    if (!isObject(processed[field])) throw new InvalidEvent(`Expected field "processed.${field}" in the step input`);
  }
  return processed;
}
