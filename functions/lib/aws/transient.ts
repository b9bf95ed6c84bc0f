import { TransientError } from '../errors';

/**
 * Decides which AWS SDK failures are worth retrying and turns them into the one TransientError the state
 * machine retries. Everything else is rethrown unchanged: a permanent error must not be retried.
 */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceeded',
  'RequestThrottledException',
  'LimitExceededException',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError']);

export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = details.$metadata?.httpStatusCode;
  return (
    THROTTLING.has(error.name) ||
    NETWORK.has(error.name) ||
    (details.code !== undefined && NETWORK.has(details.code)) ||
    details.$retryable !== undefined ||
    (status !== undefined && status >= 500)
  );
}

/** Runs an AWS call; a transient failure becomes TransientError (with the original as cause). */
export async function callAws<T>(description: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransientAwsError(error)) {
      throw new TransientError(
        `${description} failed transiently: ${(error as Error).name}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
