import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import AWSAccount from 's3rver/lib/models/account';
import type { ObjectChange } from '../events/s3-object-events';
import { readBody, RequestTooLarge } from '../http/respond';
import { messageOf, type StackLog } from '../log';
import { awsChunkedDecoder, decodedHeaders, isAwsChunked, MalformedChunkedBody } from './aws-chunked';
import type { HashedStore } from './hashed-store';
import { isListRequest, listBucket } from './list-bucket';
import { OBJECT_ANSWER_HEADERS, sendS3Error } from './s3-answers';
import { answerHeaders, beforeForwarding, sendNoSuchVersion } from './version-requests';
import { S3Refusal, targetOf, type S3Target } from './s3-target';

/**
 * The way from the stack's endpoint to s3rver, and what is done on it: listings are answered from the store's
 * index; virtual-hosted requests become path-style; aws-chunked bodies are unwrapped as they stream; a body that is
 * not an object's bytes is bounded; Range headers S3 would ignore or resolve (suffixes) are made explicit; any access
 * key is accepted; the answer carries `nosniff` and a sandboxing CSP, so no stored object runs as a page of the
 * stack's origin; a client that goes away mid-body aborts the upload (nothing is stored).
 */
export interface S3ProxyContext {
  port: number;
  log: StackLog;
  store: HashedStore;
  /** Buckets whose CORS rules allow any origin ("*"): their preflights answer "*". */
  wildcardOrigins: Set<string>;
  /** Reports a change the proxy made itself, without s3rver (a version deleted). */
  onChange(change: ObjectChange): void;
}

/** S3's own limit for the XML documents of configuration requests is far below this. */
export const MAX_CONFIGURATION_BODY = 2 * 1024 * 1024;

export { OBJECT_ANSWER_HEADERS };

export function proxyS3(req: IncomingMessage, res: ServerResponse, context: S3ProxyContext): void {
  forward(req, res, context).catch((error: unknown) => {
    const known =
      error instanceof S3Refusal || error instanceof MalformedChunkedBody || error instanceof RequestTooLarge;
    if (!known) context.log.line('s3', `${req.method} ${req.url} failed: ${messageOf(error)}`);
    if (res.headersSent) return void res.destroy();
    if (error instanceof S3Refusal) return sendS3Error(res, error.status, error.code, error.message);
    if (error instanceof RequestTooLarge)
      return sendS3Error(res, 400, 'MaxMessageLengthExceeded', 'Your request was too big.');
    if (error instanceof MalformedChunkedBody) return sendS3Error(res, 400, 'IncompleteBody', error.message);
    sendS3Error(res, 503, 'ServiceUnavailable', `The local S3 could not answer: ${messageOf(error)}`);
  });
}

async function forward(req: IncomingMessage, res: ServerResponse, context: S3ProxyContext): Promise<void> {
  const target = targetOf(req, context.port);
  if (target.bucket && !target.key && isListRequest(req.method, `/${target.bucket}`, target.query))
    return listBucket(context.store, res, target.bucket, target.query);
  await resolveRange(target, context.store);
  acceptAccessKey(target);
  const prepared = await beforeForwarding(req, res, target, context.store, (bucket, key) =>
    context.onChange({ kind: 'deleted', bucket, key, reason: 'DeleteObject', time: new Date() }),
  );
  if (prepared.answered) return;
  const { versioned } = prepared;
  let body: Readable | Buffer;
  if (isAwsChunked(req.headers)) {
    decodedHeaders(target.headers);
    body = req.pipe(awsChunkedDecoder());
  } else if (target.carriesObjectBytes) body = req;
  else if (Number(req.headers['content-length'] ?? 0) > MAX_CONFIGURATION_BODY) {
    // Answered unread: the connection closes after the answer instead of taking megabytes first.
    res.setHeader('connection', 'close');
    throw new RequestTooLarge(`Configuration requests are at most ${MAX_CONFIGURATION_BODY} bytes`);
  } else body = await readBody(req, MAX_CONFIGURATION_BODY);
  if (res.headersSent) return;
  if (Buffer.isBuffer(body)) {
    target.headers['content-length'] = String(body.length);
    delete target.headers['transfer-encoding'];
  }
  const upstream = http.request({
    host: '127.0.0.1',
    port: context.port,
    method: req.method,
    path: target.path,
    headers: target.headers,
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    upstream.once('response', resolve);
    upstream.once('error', reject);
  });
  req.once('close', () => {
    if (!req.complete) upstream.destroy(new Error('the client went away before the body ended'));
  });
  const sent = pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, upstream);
  const answer = await Promise.race([answered, sent.then(() => answered)]);
  sent.catch(() => undefined);
  const extra = answerHeaders(req, answer, target, versioned);
  if (extra === false) {
    answer.resume();
    return sendNoSuchVersion(res, target, versioned.requested ?? '');
  }
  writeAnswer(req, res, answer, { target, context, extra });
  await pipeline(answer, res);
}

function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  answer: http.IncomingMessage,
  { target, context, extra }: { target: S3Target; context: S3ProxyContext; extra: string[] },
): void {
  const raw = [...answer.rawHeaders, ...extra];
  // s3rver answers every allowed preflight with "*"; S3 echoes the origin unless the rule allows any.
  const origin = req.headers.origin;
  if (
    req.method === 'OPTIONS' &&
    origin &&
    answer.headers['access-control-allow-origin'] === '*' &&
    !context.wildcardOrigins.has(target.bucket ?? '')
  )
    for (let i = 0; i < raw.length; i += 2)
      if (raw[i]?.toLowerCase() === 'access-control-allow-origin') raw[i + 1] = origin;
  for (const [name, value] of Object.entries(OBJECT_ANSWER_HEADERS)) raw.push(name, value);
  res.writeHead(answer.statusCode ?? 502, raw as unknown as http.OutgoingHttpHeaders);
}

/**
 * Ranges as S3 reads them, before s3rver (which reads `bytes=-N` as the first N bytes): a suffix becomes the last N
 * bytes of the object, and what is not one satisfiable-or-not byte range (several ranges, words, a start after the
 * end) is dropped, so the whole object is answered, as S3 does.
 */
async function resolveRange(target: S3Target, store: HashedStore): Promise<void> {
  const range = target.headers.range;
  if (range === undefined) return;
  const match = /^bytes=(\d*)-(\d*)$/.exec(String(range).trim());
  const [, first = '', last = ''] = match ?? [];
  if (!match || (first === '' && last === '') || (first !== '' && last !== '' && Number(last) < Number(first))) {
    delete target.headers.range;
    return;
  }
  if (first !== '' || !target.bucket || !target.key) return;
  const size = await store.sizeOf(target.bucket, target.key);
  if (size === undefined) return;
  const suffix = Number(last);
  target.headers.range =
    suffix === 0 || size === 0 ? `bytes=${size}-` : `bytes=${Math.max(0, size - suffix)}-${size - 1}`;
}

/** s3rver knows only its own access key and checks no SigV4 signature: whatever key signed is made known to it. */
function acceptAccessKey(target: S3Target): void {
  const accessKey = target.accessKey;
  if (accessKey && !AWSAccount.registry.has(accessKey)) AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, accessKey);
}
