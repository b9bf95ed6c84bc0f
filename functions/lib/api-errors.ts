/**
 * The errors an API route answers with. Each class's `name` is the exact `error` string of the JSON body and its
 * `status` the HTTP status (docs/api.md, "Errors"). They are not workflow errors (functions/lib/errors.ts): no ASL
 * matches them, a handler turns them into a response (functions/lib/api-handler.ts).
 */
export abstract class ApiError extends Error {
  abstract override readonly name: string;
  abstract readonly status: number;
}

/** A body that is not JSON, a missing or malformed field, a bad query parameter or paging token. */
export class BadRequest extends ApiError {
  override readonly name = 'BadRequest';
  readonly status = 400;
}

/** No caller in the request: the authorizer did not run (answered by API Gateway itself when it does). */
export class Unauthorized extends ApiError {
  override readonly name = 'Unauthorized';
  readonly status = 401;
}

/** A valid token that may not call the API (an id token instead of an access token). */
export class Forbidden extends ApiError {
  override readonly name = 'Forbidden';
  readonly status = 403;
}

/** No such album or photo for this caller: another user's ids answer exactly like missing ones. */
export class NotFound extends ApiError {
  override readonly name = 'NotFound';
  readonly status = 404;
}

/** An album that still holds photos is never deleted. */
export class AlbumNotEmpty extends ApiError {
  override readonly name = 'AlbumNotEmpty';
  readonly status = 409;
  constructor(readonly photoCount: number) {
    super(`The album still holds ${photoCount} photo(s); delete them first`);
  }
}

/** An upload larger than UploadMaxBytes, or a request body larger than the API reads. */
export class PayloadTooLarge extends ApiError {
  override readonly name = 'PayloadTooLarge';
  readonly status = 413;
}
