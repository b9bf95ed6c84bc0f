import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * S3's checks of a browser-based upload (POST Object with a SigV4 POST policy), which s3rver skips: the signature of
 * the policy, its expiration, and every condition (exact or starts-with values of the key, Content-Type, bucket and
 * any other field; content-length-range on the file), with every form field covered by a condition. A refusal names
 * S3's error code and says which rule failed, in S3's words.
 */
export interface PostForm {
  /** The form's fields before the file, in order, names as sent. */
  fields: [string, string][];
  file: { name: string; size: number };
}

export interface PolicyContext {
  bucket: string;
  now: Date;
  /** The secret key of an access key id (undefined: unknown key). */
  secretFor(accessKeyId: string): string | undefined;
}

export interface PostRefusal {
  status: number;
  code: string;
  message: string;
  /** More elements of S3's error document (ProposedSize, MaxSizeAllowed, ...). */
  details?: Record<string, string>;
}

export type PolicyVerdict = { ok: true; key: string; fields: Map<string, string> } | ({ ok: false } & PostRefusal);

type Condition = { op: 'eq' | 'starts-with'; field: string; value: string } | { op: 'range'; min: number; max: number };

// Fields S3 lets through without a condition.
const UNCHECKED = new Set(['policy', 'x-amz-signature', 'file', 'awsaccesskeyid', 'signature']);

export function checkPostPolicy(form: PostForm, context: PolicyContext): PolicyVerdict {
  const fields = new Map<string, string>();
  for (const [name, value] of form.fields) if (!fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), value);
  const rawKey = fields.get('key');
  if (rawKey === undefined || rawKey === '')
    return refuse(
      400,
      'InvalidArgument',
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
    );
  const key = rawKey.split('${filename}').join(form.file.name);
  const policy = fields.get('policy');
  if (policy === undefined) return refuse(403, 'AccessDenied', 'Access Denied');
  const signed = checkSignature(policy, fields, context);
  if (signed) return signed;
  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as typeof document;
  } catch {
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  const expiration = typeof document.expiration === 'string' ? Date.parse(document.expiration) : Number.NaN;
  if (Number.isNaN(expiration))
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
  if (expiration < context.now.getTime())
    return refuse(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  const conditions = parseConditions(document.conditions);
  if (!conditions)
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid Simple-Condition: conditions must be a list.');
  const values = new Map(fields).set('key', key).set('bucket', context.bucket);
  for (const condition of conditions) {
    const failed = checkCondition(condition, values, form.file.size);
    if (failed) return { ok: false, ...failed };
  }
  const covered = new Set(conditions.flatMap((condition) => (condition.op === 'range' ? [] : [condition.field])));
  const extra = [...fields.keys()].filter(
    (name) => !UNCHECKED.has(name) && !name.startsWith('x-ignore-') && !covered.has(name),
  );
  if (extra.length > 0)
    return refuse(403, 'AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  return { ok: true, key, fields };
}

function refuse(status: number, code: string, message: string, details?: Record<string, string>): PolicyVerdict {
  return { ok: false, status, code, message, ...(details ? { details } : {}) };
}

/** SigV4 for POST: the signature is HMAC(signing key of the credential's scope, the base64 policy). */
function checkSignature(
  policy: string,
  fields: Map<string, string>,
  context: PolicyContext,
): PolicyVerdict | undefined {
  const algorithm = fields.get('x-amz-algorithm');
  if (algorithm !== 'AWS4-HMAC-SHA256')
    return refuse(
      400,
      'InvalidArgument',
      'The local S3 accepts POST policies signed with AWS4-HMAC-SHA256 (x-amz-algorithm) only.',
    );
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/.exec(fields.get('x-amz-credential') ?? '');
  const signature = fields.get('x-amz-signature') ?? '';
  if (!credential || !fields.get('x-amz-date') || !/^[0-9a-f]{64}$/.test(signature))
    return refuse(
      400,
      'InvalidArgument',
      'Bucket POST must contain the fields x-amz-credential, x-amz-date and x-amz-signature.',
    );
  const [, accessKeyId = '', date = '', region = ''] = credential;
  const secret = context.secretFor(accessKeyId);
  if (secret === undefined)
    return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const signingKey = ['s3', 'aws4_request'].reduce(hmac, hmac(hmac(`AWS4${secret}`, date), region));
  const expected = createHmac('sha256', signingKey).update(policy).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return refuse(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  return undefined;
}

function parseConditions(raw: unknown): Condition[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const conditions: Condition[] = [];
  for (const item of raw) {
    if (Array.isArray(item) && String(item[0]).toLowerCase() === 'content-length-range') {
      conditions.push({ op: 'range', min: Number(item[1]), max: Number(item[2]) });
    } else if (Array.isArray(item) && item.length === 3) {
      const op = String(item[0]).toLowerCase();
      if (op !== 'eq' && op !== 'starts-with') return undefined;
      conditions.push({ op, field: String(item[1]).replace(/^\$/, '').toLowerCase(), value: String(item[2]) });
    } else if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1) {
      const [[field, value]] = Object.entries(item as Record<string, unknown>) as [[string, unknown]];
      conditions.push({ op: 'eq', field: field.replace(/^\$/, '').toLowerCase(), value: String(value) });
    } else return undefined;
  }
  return conditions;
}

function checkCondition(condition: Condition, values: Map<string, string>, size: number): PostRefusal | undefined {
  if (condition.op === 'range') {
    if (size > condition.max)
      return {
        status: 400,
        code: 'EntityTooLarge',
        message: 'Your proposed upload exceeds the maximum allowed size',
        details: { ProposedSize: String(size), MaxSizeAllowed: String(condition.max) },
      };
    if (size < condition.min)
      return {
        status: 400,
        code: 'EntityTooSmall',
        message: 'Your proposed upload is smaller than the minimum allowed size',
        details: { ProposedSize: String(size), MinSizeAllowed: String(condition.min) },
      };
    return undefined;
  }
  const value = values.get(condition.field);
  // Content-Type may list several types; S3 checks each against a starts-with condition.
  const candidates =
    condition.field === 'content-type' && condition.op === 'starts-with' ? (value ?? '').split(',') : [value];
  const holds =
    value !== undefined &&
    candidates.every((candidate) =>
      condition.op === 'eq' ? candidate === condition.value : (candidate ?? '').trim().startsWith(condition.value),
    );
  if (holds) return undefined;
  return {
    status: 403,
    code: 'AccessDenied',
    message: `Invalid according to Policy: Policy Condition failed: ["${condition.op}", "$${condition.field}", "${condition.value}"]`,
  };
}
