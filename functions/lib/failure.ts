import { NotSupportedImageType } from './errors';
import type { ErrorRecord } from './image-item';
import type { StepMetadata } from './workflow';

const MAX_MESSAGE = 1000;

/**
 * Turns what a Catch put under $.failure ({ [stateName]: { Error, Cause } }) into the item's error.
 * A Lambda error's Cause is the runtime's JSON ({ errorType, errorMessage, trace }); other causes are text.
 */
export function failureRecord(failure: Record<string, { Error?: string; Cause?: string }>): ErrorRecord {
  const [state, caught] = Object.entries(failure)[0] ?? ['Unknown', {}];
  const name = caught?.Error || 'UnknownError';
  return { name, message: failureMessage(caught?.Cause), state };
}

/** The message of a Catch's Cause, as the item keeps it (at most MAX_MESSAGE characters). */
export function failureMessage(cause: string | undefined): string {
  return messageOf(cause).slice(0, MAX_MESSAGE);
}

/**
 * Why an upload ends UNSUPPORTED: ConvertImage's refusal when its Catch recorded one under the metadata (an animated
 * WebP), else the format ImageTypeCheck did not let through.
 */
export function unsupportedRecord(metadata: Partial<StepMetadata> | undefined): ErrorRecord {
  const refused = metadata?.unsupported;
  if (refused) {
    return {
      name: refused.Error || 'NotSupportedImageType',
      message: failureMessage(refused.Cause),
      state: 'ConvertImage',
    };
  }
  const error = new NotSupportedImageType(metadata?.format ?? 'UNKNOWN');
  return { name: error.name, message: error.message, state: 'ImageTypeCheck' };
}

function messageOf(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: States.* errors carry plain text.
  }
  return cause;
}
