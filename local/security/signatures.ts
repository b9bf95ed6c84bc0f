import type { IncomingMessage } from 'node:http';

/**
 * Every AWS API request to the local stack must be signed with SigV4: a web page cannot sign (it would need the
 * request's headers and a key), so an unsigned request is a page's or a mistake. There is no secret to check a
 * signature against, so any credentials are accepted, as offline emulators do; what is checked is that a signature
 * is there: an Authorization header of SigV4's shape, or for S3 a presigned query (SigV4, unexpired) or a POST
 * policy (checked by the S3 service, which reads the form). A CORS preflight carries none by design.
 */
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=[^/\s,]+\/\d{8}\/[^/\s,]+\/[^/\s,]+\/aws4_request\s*,\s*SignedHeaders=[a-z0-9;-]+\s*,\s*Signature=[0-9a-f]{64}\s*$/i;
const MAX_EXPIRES_SECONDS = 604800;
const CLOCK_SKEW_MS = 15 * 60 * 1000;

export const UNSIGNED =
  'the local stack takes AWS requests signed with SigV4 only (any access key works: the signature is not checked, its presence is)';

export function sigv4Refusal(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return `Request is missing Authentication Token: ${UNSIGNED}`;
  if (!AUTHORIZATION.test(authorization)) return `The Authorization header is not SigV4's: ${UNSIGNED}`;
  return undefined;
}

/** S3: a SigV4 header, a presigned URL that is current, or a browser upload form (its policy checked later). */
export function s3SignatureRefusal(req: IncomingMessage, isBucketPostForm: boolean, now: Date): string | undefined {
  if (req.method === 'OPTIONS') return undefined;
  if (req.headers.authorization !== undefined) return sigv4Refusal(req);
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  if (query.has('X-Amz-Signature') || query.has('X-Amz-Algorithm')) return presignedRefusal(query, now);
  if (query.has('Signature') || query.has('AWSAccessKeyId')) return `Signature Version 2 is not accepted: ${UNSIGNED}`;
  if (isBucketPostForm) return undefined;
  return `Access Denied: ${UNSIGNED}, a presigned URL or a POST policy`;
}

function presignedRefusal(query: URLSearchParams, now: Date): string | undefined {
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  const expires = Number(query.get('X-Amz-Expires') ?? '');
  const wellFormed =
    query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' &&
    /^[^/]+\/\d{8}\/[^/]+\/s3\/aws4_request$/.test(query.get('X-Amz-Credential') ?? '') &&
    /^[0-9a-f]{64}$/.test(query.get('X-Amz-Signature') ?? '') &&
    query.get('X-Amz-SignedHeaders') !== null &&
    date !== null &&
    Number.isInteger(expires);
  if (!wellFormed)
    return 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
  if (expires < 1 || expires > MAX_EXPIRES_SECONDS)
    return `X-Amz-Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds`;
  const [, year, month, day, hour, minute, second] = date.map(Number);
  const signedAt = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
  if (signedAt - CLOCK_SKEW_MS > now.getTime()) return 'Request is not valid yet';
  if (signedAt + expires * 1000 < now.getTime()) return 'Request has expired';
  return undefined;
}
