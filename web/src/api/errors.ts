/**
 * Every way an API call can fail, as a typed value: the errors of docs/api.md by name, plus what the contract does
 * not cover (a server error, an answer that is not the contract's, no answer at all). The page shows `describe`,
 * never the raw body.
 */
export const API_ERROR_NAMES = [
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlbumNotEmpty',
  'PayloadTooLarge',
  'TooManyRequests',
] as const;

export type ApiErrorName = (typeof API_ERROR_NAMES)[number];

export type ApiError =
  | { kind: 'api'; name: ApiErrorName; status: number; message?: string }
  | { kind: 'server'; status: number }
  | { kind: 'unexpected'; status: number }
  | { kind: 'network' };

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const BY_STATUS: Record<number, ApiErrorName> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'AlbumNotEmpty',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
};

const WORDS: Record<ApiErrorName, string> = {
  BadRequest: 'The request was refused as malformed.',
  Unauthorized: 'Your session has ended: sign in again.',
  Forbidden: 'Your sign-in does not allow this.',
  NotFound: 'Not found: it may have been deleted.',
  AlbumNotEmpty: 'This album still holds photos: delete them first, then the album.',
  PayloadTooLarge: 'The file is larger than the stack accepts.',
  TooManyRequests: 'Too many requests right now: wait a moment and try again.',
};

/** Maps a failed HTTP answer (status and body text) to an ApiError. */
export function apiErrorOf(status: number, bodyText: string): ApiError {
  const body = parseObject(bodyText);
  const named = typeof body?.error === 'string' ? API_ERROR_NAMES.find((name) => name === body.error) : undefined;
  const name = named ?? BY_STATUS[status];
  if (name) {
    // Only the API's own errors carry a message for people; API Gateway's ({"message":"Not Found"}) do not.
    const message =
      named && typeof body?.message === 'string' && body.message.trim() !== '' ? body.message.trim() : undefined;
    return { kind: 'api', name, status, ...(message ? { message } : {}) };
  }
  return status >= 500 ? { kind: 'server', status } : { kind: 'unexpected', status };
}

/** A sentence for people. The API's own message is used where it explains the documented error better. */
export function describeApiError(error: ApiError): string {
  switch (error.kind) {
    case 'network':
      return 'The API did not answer: check your connection and try again.';
    case 'server':
      return `The API failed (HTTP ${error.status}): try again in a moment.`;
    case 'unexpected':
      return `The API answered something this app does not understand (HTTP ${error.status}).`;
    case 'api':
      // 401's body is API Gateway's ("Unauthorized"); 409's and 429's are better said here.
      if (error.name === 'Unauthorized' || error.name === 'AlbumNotEmpty' || error.name === 'TooManyRequests')
        return WORDS[error.name];
      return error.message && isSentence(error.message) ? error.message : WORDS[error.name];
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Words, not a dump: short, and not JSON or markup. */
function isSentence(text: string): boolean {
  return text.length <= 300 && !/^[[{<]/.test(text);
}
