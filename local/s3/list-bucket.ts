import type { ServerResponse } from 'node:http';
import type { HashedStore, ListedObject } from './hashed-store';
import type { ListPage } from './key-index';
import { sendS3Error, sendXml, xmlText } from './s3-answers';

/**
 * ListObjects and ListObjectsV2 (`GET /<bucket>`), answered from the store's index in S3's order: prefixes,
 * delimiters with common prefixes (each counting toward max-keys, as on S3), markers, start-after, continuation
 * tokens (the last key or prefix returned, base64url: s3rver's own tokens need a DES cipher OpenSSL 3 refuses) and
 * `encoding-type=url` (what the AWS CLI asks for, so keys XML cannot carry still list).
 */
const LIST_PARAMETERS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'encoding-type',
  'start-after',
  'continuation-token',
  'fetch-owner',
  'x-id',
]);
const OWNER = '<Owner><ID>123456789000</ID><DisplayName>S3rver</DisplayName></Owner>';

/** A GET of a bucket whose query holds only listing parameters (and SigV4's own). */
export function isListRequest(method: string | undefined, pathname: string, query: URLSearchParams): boolean {
  if (method !== 'GET' || !/^\/[^/]+\/?$/.test(pathname)) return false;
  return [...query.keys()].every((name) => LIST_PARAMETERS.has(name) || /^x-amz-/i.test(name));
}

export async function listBucket(
  store: HashedStore,
  res: ServerResponse,
  bucket: string,
  query: URLSearchParams,
): Promise<void> {
  if (!(await store.getBucket(bucket)))
    return sendS3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  const v2 = query.get('list-type') === '2';
  const maxKeysText = query.get('max-keys') ?? '1000';
  const maxKeys = /^\d{1,10}$/.test(maxKeysText) ? Math.min(1000, Number(maxKeysText)) : undefined;
  if (maxKeys === undefined)
    return sendS3Error(res, 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: maxKeysText,
    });
  const token = query.get('continuation-token');
  const startAfter = v2
    ? token !== null
      ? decodeToken(token)
      : (query.get('start-after') ?? '')
    : query.get('marker');
  if (startAfter === undefined)
    return sendS3Error(res, 400, 'InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const page =
    maxKeys === 0
      ? { keys: [], commonPrefixes: [], isTruncated: false }
      : store.list(bucket, { prefix, delimiter, startAfter: startAfter ?? '', maxKeys });
  const objects = await store.describe(bucket, page.keys);
  const encode =
    query.get('encoding-type') === 'url'
      ? (text: string) => encodeURIComponent(text).replace(/%2F/g, '/')
      : (text: string) => text;
  const field = (name: string, value: string | number | undefined, encoded = false) =>
    value === undefined ? '' : `<${name}>${xmlText(encoded ? encode(String(value)) : String(value))}</${name}>`;
  const head = v2
    ? field('Name', bucket) +
      field('Prefix', prefix, true) +
      (token === null ? field('StartAfter', startAfter || undefined, true) : field('ContinuationToken', token)) +
      (page.isTruncated ? field('NextContinuationToken', encodeToken(page)) : '') +
      field('KeyCount', page.keys.length + page.commonPrefixes.length)
    : field('Name', bucket) +
      field('Prefix', prefix, true) +
      field('Marker', startAfter ?? '', true) +
      (page.isTruncated && delimiter ? field('NextMarker', page.last, true) : '');
  const body =
    head +
    field('MaxKeys', maxKeys) +
    field('Delimiter', delimiter || undefined, true) +
    field('EncodingType', query.get('encoding-type') === 'url' ? 'url' : undefined) +
    `<IsTruncated>${page.isTruncated}</IsTruncated>` +
    objects.map((object) => contents(object, encode, !v2 || query.get('fetch-owner') === 'true')).join('') +
    page.commonPrefixes.map((prefix) => `<CommonPrefixes>${field('Prefix', prefix, true)}</CommonPrefixes>`).join('');
  sendXml(res, 200, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</ListBucketResult>`);
}

function contents(object: ListedObject, encode: (text: string) => string, owner: boolean): string {
  return (
    `<Contents><Key>${xmlText(encode(object.key))}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
    `<ETag>${xmlText(object.etag)}</ETag><Size>${object.size}</Size>${owner ? OWNER : ''}<StorageClass>STANDARD</StorageClass></Contents>`
  );
}

function encodeToken(page: ListPage): string {
  return Buffer.from(`1:${page.last ?? ''}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith('1:') ? text.slice(2) : undefined;
}
