import { describeApiError, type ApiError } from '../api/errors';

/** An API failure in words, announced to screen readers; `retry` offers to try again. */
export function ErrorMessage({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div className="error" role="alert">
      <p>{describeApiError(error)}</p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
