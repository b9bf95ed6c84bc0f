import type { IncomingMessage } from 'node:http';
import { readBody } from '../http/respond';
import { S3Refusal, type S3Target } from './s3-target';

/**
 * A browser-based upload (POST Object, multipart/form-data to a bucket) is S3's one request signed inside its body:
 * it must carry a SigV4 POST policy (policy, x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature) that
 * has not expired. Any credentials are accepted, as for every local S3 request; the policy's conditions are checked
 * by local-auth's post-policy.ts once it lands, which replaces this check.
 */
export const POST_FORM_LIMIT = 256 * 1024 * 1024;

export function isPostForm(req: IncomingMessage, target: S3Target): boolean {
  return (
    req.method === 'POST' &&
    target.bucket !== undefined &&
    target.key === undefined &&
    /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')
  );
}

/** The form's bytes, to forward as they came, once its policy is signed and current; else S3's AccessDenied. */
export async function checkPostForm(req: IncomingMessage, now = new Date()): Promise<Buffer> {
  const body = await readBody(req, POST_FORM_LIMIT);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
  } catch {
    throw new S3Refusal(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }
  const field = (name: string) => {
    for (const [entry, value] of form) if (entry.toLowerCase() === name && typeof value === 'string') return value;
    return undefined;
  };
  const signed =
    field('x-amz-algorithm') === 'AWS4-HMAC-SHA256' &&
    /^[^/]+\/\d{8}\/[^/]+\/s3\/aws4_request$/.test(field('x-amz-credential') ?? '') &&
    /^\d{8}T\d{6}Z$/.test(field('x-amz-date') ?? '') &&
    /^[0-9a-f]{64}$/.test(field('x-amz-signature') ?? '');
  if (!signed || field('policy') === undefined)
    throw new S3Refusal(
      403,
      'AccessDenied',
      'Access Denied: a POST upload needs a SigV4-signed policy (any credentials work locally).',
    );
  let expiration: number;
  try {
    const policy = JSON.parse(Buffer.from(field('policy') ?? '', 'base64').toString('utf8')) as {
      expiration?: unknown;
    };
    expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : Number.NaN;
  } catch {
    throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (Number.isNaN(expiration))
    throw new S3Refusal(400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
  if (expiration < now.getTime())
    throw new S3Refusal(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  return body;
}
