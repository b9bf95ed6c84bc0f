import type { ErrorRecord } from './image-item';

const MAX_MESSAGE = 1000;

/**
 * Turns what a Catch put under $.failure ({ [stateName]: { Error, Cause } }) into the item's error.
 * A Lambda error's Cause is the runtime's JSON ({ errorType, errorMessage, trace }); other causes are text.
 */
export function failureRecord(failure: Record<string, { Error?: string; Cause?: string }>): ErrorRecord {
  const [state, caught] = Object.entries(failure)[0] ?? ['Unknown', {}];
  const name = caught?.Error || 'UnknownError';
  return { name, message: messageOf(caught?.Cause).slice(0, MAX_MESSAGE), state };
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
