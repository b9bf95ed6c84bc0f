import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readBodyWithin } from '../http/limited-body';
import { checkPostPolicy, type PostRefusal } from './post-policy';

/**
 * POST Object (browser-based uploads) on the local S3: the form is read, its policy checked like S3 does
 * (post-policy.ts), and only an accepted upload reaches s3rver, re-sent with the fields it stores (key, Content-Type,
 * metadata, success_action_*); a refused one stores nothing and gets S3's XML error.
 */
export interface PostObjectOptions {
  bucket: string;
  /** s3rver's port on 127.0.0.1. */
  internalPort: number;
  log(line: string): void;
  /** The secret key of an access key id; locally a key's secret is the key itself (what the functions get). */
  secretFor?(accessKeyId: string): string | undefined;
  /** The bucket's CORS AllowedOrigins: a refusal carries the CORS headers too, so a browser can read it. */
  allowedOrigins?: string[];
  now?: () => Date;
}

/** Larger forms are refused unread, as EntityTooLarge (S3's own limit for POST is 5 GB). */
export const POST_FORM_LIMIT = 256 * 1024 * 1024;
// Fields s3rver stores or acts on; the policy's own fields stay here.
const FORWARDED =
  /^(key|content-type|cache-control|content-disposition|content-encoding|expires|success_action_status|success_action_redirect|x-amz-meta-.+)$/i;

/** Path-style POST to a bucket with a multipart form: a browser-based upload. */
export function isPostObject(req: IncomingMessage, path: string): string | undefined {
  if (req.method !== 'POST' || !/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return undefined;
  return /^\/([^/?]+)\/?$/.exec(path)?.[1];
}

export async function handlePostObject(
  req: IncomingMessage,
  res: ServerResponse,
  options: PostObjectOptions,
): Promise<void> {
  const origin = req.headers.origin;
  const allowed = origin && options.allowedOrigins?.some((candidate) => candidate === '*' || candidate === origin);
  const sendError = (refusal: PostRefusal) =>
    sendS3Error(res, refusal, allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {});
  const body = await readBodyWithin(req, POST_FORM_LIMIT);
  if (!body)
    return sendError({
      status: 400,
      code: 'EntityTooLarge',
      message: 'Your proposed upload exceeds the maximum allowed size',
      details: { MaxSizeAllowed: String(POST_FORM_LIMIT) },
    });
  let entries: [string, NonNullable<ReturnType<FormData['get']>>][];
  try {
    entries = [
      ...(await new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData()),
    ];
  } catch {
    return sendError({
      status: 400,
      code: 'MalformedPOSTRequest',
      message: 'The body of your POST request is not well-formed multipart/form-data.',
    });
  }
  const fileIndex = entries.findIndex(([name, value]) => name.toLowerCase() === 'file' && typeof value !== 'string');
  const file = entries[fileIndex]?.[1];
  if (fileIndex < 0 || !file || typeof file === 'string')
    return sendError({
      status: 400,
      code: 'InvalidArgument',
      message: 'POST requires exactly one file upload per request.',
    });
  // S3 ignores what follows the file.
  const fields = entries.slice(0, fileIndex).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const verdict = checkPostPolicy(
    { fields, file: { name: file.name, size: file.size } },
    { bucket: options.bucket, now: options.now?.() ?? new Date(), secretFor: options.secretFor ?? ((key) => key) },
  );
  if (!verdict.ok) {
    options.log(`POST ${options.bucket} refused: ${verdict.code}: ${verdict.message}`);
    return sendError(verdict);
  }
  // Only the values the policy was checked against are stored: the first of each name (a field sent again after
  // it, in any case, would otherwise reach s3rver, which keeps the last: a second Content-Type escaped the policy).
  const form = new FormData();
  const sent = new Set<string>();
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    if (FORWARDED.test(name) && lower !== 'key' && !sent.has(lower)) form.append(name, value);
    sent.add(lower);
  }
  form.append('key', verdict.key);
  form.append('file', file, file.name);
  await forward(req, res, form, options);
}

async function forward(req: IncomingMessage, res: ServerResponse, form: FormData, options: PostObjectOptions) {
  const encoded = new Response(form);
  const payload = Buffer.from(await encoded.arrayBuffer());
  const headers: http.OutgoingHttpHeaders = {
    'content-type': encoded.headers.get('content-type') ?? '',
    'content-length': payload.length,
    host: `127.0.0.1:${options.internalPort}`,
    ...(req.headers.origin ? { origin: req.headers.origin } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: options.internalPort,
        method: 'POST',
        path: `/${encodeURIComponent(options.bucket)}`,
        headers,
      },
      (answer) => {
        const internal = `http://127.0.0.1:${options.internalPort}`;
        const location = answer.headers.location?.replace(internal, `http://${req.headers.host ?? 'localhost'}`);
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...(location ? { location } : {}) });
        answer.pipe(res).on('finish', resolve);
      },
    );
    upstream.on('error', reject);
    upstream.end(payload);
  });
}

export function sendS3Error(res: ServerResponse, refusal: PostRefusal, headers: Record<string, string> = {}): void {
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const details = Object.entries(refusal.details ?? {})
    .map(([name, value]) => `<${name}>${escape(value)}</${name}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escape(refusal.message)}</Message>${details}<RequestId>${randomUUID()}</RequestId><HostId>local</HostId></Error>`;
  res.writeHead(refusal.status, {
    ...headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
