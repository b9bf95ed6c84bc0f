import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { clientOptions } from '../../functions/lib/aws/client-options';
import { albumKeyOf, type ImageItem } from '../../functions/lib/image-item';
import { InvalidUploadKey } from '../../functions/lib/errors';
import { parseUploadKey, uploadKeyOf } from '../../functions/lib/upload-key';
import { parseJsonBody, readBody, sendJson } from '../http/respond';
import { messageOf, type StackLog } from '../log';

/**
 * A local-only test web app under /_app/ (bucket names cannot contain `_`, so no S3 path-style request starts so):
 * a static page and a small JSON API over the stack's own DynamoDB and S3. On AWS the same page would need an API
 * and Cognito, which template.yaml does not provide.
 */
export const WEB_APP_PREFIX = '/_app';

export interface WebAppOptions {
  /** The stack's endpoint, for DynamoDB. */
  endpoint: string;
  region: string;
  bucket: string;
  table: string;
  log: StackLog;
}

export interface WebApp {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

const PUBLIC_DIR = path.join(__dirname, 'public');
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const URL_EXPIRES_SECONDS = 900;
const MAX_ITEMS = 500;

export function isWebAppPath(url: string | undefined): boolean {
  const pathname = (url ?? '/').split('?')[0] ?? '/';
  return pathname === WEB_APP_PREFIX || pathname.startsWith(`${WEB_APP_PREFIX}/`);
}

export function createWebApp(options: WebAppOptions): WebApp {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({
    ...clientOptions,
    endpoint: options.endpoint,
    region: options.region,
    credentials,
  });
  const documents = DynamoDBDocumentClient.from(dynamodb);
  // Presigned URLs are made for the host the browser used, so they stay same-origin with the page.
  const presigners = new Map<string, S3Client>();
  function presignerFor(origin: string): S3Client {
    let client = presigners.get(origin);
    if (!client) {
      client = new S3Client({
        ...clientOptions,
        endpoint: origin,
        region: options.region,
        credentials,
        forcePathStyle: true,
      });
      presigners.set(origin, client);
    }
    return client;
  }

  async function queryItems(input: Omit<QueryCommandInput, 'TableName'>): Promise<ImageItem[]> {
    const items: ImageItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new QueryCommand({
          TableName: options.table,
          ScanIndexForward: false,
          ...input,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as ImageItem[]));
      start = page.LastEvaluatedKey;
    } while (start && items.length < MAX_ITEMS);
    return items.slice(0, MAX_ITEMS);
  }

  function itemsOf(user: string, album: string | undefined): Promise<ImageItem[]> {
    if (album === undefined) {
      return queryItems({
        IndexName: 'ByUser',
        KeyConditionExpression: 'userId = :user',
        ExpressionAttributeValues: { ':user': user },
      });
    }
    return queryItems({
      IndexName: 'ByAlbum',
      KeyConditionExpression: 'albumKey = :album',
      ExpressionAttributeValues: { ':album': albumKeyOf(user, album) },
    });
  }

  async function photos(url: URL, origin: string) {
    const user = segment(url.searchParams.get('user'), 'user');
    const albumParam = url.searchParams.get('album');
    const album = albumParam === null || albumParam === '' ? undefined : segment(albumParam, 'album');
    const items = await itemsOf(user, album);
    const s3 = presignerFor(origin);
    return {
      user,
      ...(album === undefined ? {} : { album }),
      photos: await Promise.all(
        items.map(async (item) => ({
          ...item,
          thumbnailUrl: item.thumbnail
            ? await getSignedUrl(s3, new GetObjectCommand({ Bucket: item.bucket, Key: item.thumbnail.key }), {
                expiresIn: URL_EXPIRES_SECONDS,
              })
            : undefined,
        })),
      ),
    };
  }

  async function albums(url: URL) {
    const user = segment(url.searchParams.get('user'), 'user');
    const counts = new Map<string, number>();
    for (const item of await itemsOf(user, undefined)) {
      if (item.albumId !== undefined) counts.set(item.albumId, (counts.get(item.albumId) ?? 0) + 1);
    }
    return {
      user,
      albums: [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async function upload(req: IncomingMessage, origin: string) {
    let body: unknown;
    try {
      body = parseJsonBody(await readBody(req, 64 * 1024));
    } catch {
      throw new BadRequest('The body must be JSON: {"user", "album", "fileName", "contentType"}');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequest('The body must be a JSON object: {"user", "album", "fileName", "contentType"}');
    const fields = body as Record<string, unknown>;
    const user = segment(fields.user, 'user');
    const album =
      fields.album === undefined || fields.album === null || fields.album === ''
        ? undefined
        : segment(fields.album, 'album');
    const fileName = segment(fields.fileName, 'fileName');
    const contentType =
      typeof fields.contentType === 'string' && fields.contentType !== ''
        ? fields.contentType
        : 'application/octet-stream';
    const key = uploadKeyOf({ userId: user, ...(album === undefined ? {} : { albumId: album }), fileName });
    try {
      parseUploadKey(key);
    } catch (error) {
      if (error instanceof InvalidUploadKey) throw new BadRequest(error.message);
      throw error;
    }
    const url = await getSignedUrl(
      presignerFor(origin),
      new PutObjectCommand({ Bucket: options.bucket, Key: key, ContentType: contentType }),
      { expiresIn: URL_EXPIRES_SECONDS },
    );
    return {
      bucket: options.bucket,
      key,
      url,
      method: 'PUT',
      headers: { 'content-type': contentType },
      expiresIn: URL_EXPIRES_SECONDS,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const sub = url.pathname.slice(WEB_APP_PREFIX.length) || '';
    const origin = `http://${req.headers.host ?? options.endpoint.replace(/^http:\/\//, '')}`;
    if (sub === '') {
      res.writeHead(308, { location: `${WEB_APP_PREFIX}/` });
      res.end();
      return;
    }
    const method = req.method ?? 'GET';
    if (sub === '/api/photos' && method === 'GET')
      return sendJson(res, 200, await photos(url, origin), 'application/json', { 'cache-control': 'no-store' });
    if (sub === '/api/albums' && method === 'GET')
      return sendJson(res, 200, await albums(url), 'application/json', { 'cache-control': 'no-store' });
    if (sub === '/api/uploads' && method === 'POST') return sendJson(res, 200, await upload(req, origin));
    if (sub.startsWith('/api/'))
      return sendJson(res, 404, {
        error: 'NotFound',
        message: `No ${method} ${url.pathname}; the API is GET /_app/api/photos, GET /_app/api/albums, POST /_app/api/uploads`,
      });
    const file = STATIC[sub];
    if (!file || (method !== 'GET' && method !== 'HEAD'))
      return sendJson(res, 404, { error: 'NotFound', message: `No ${url.pathname}` });
    const content = await readFile(path.join(PUBLIC_DIR, file));
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': content.length,
      'cache-control': 'no-cache',
    });
    res.end(method === 'HEAD' ? undefined : content);
  }

  return {
    handle(req, res) {
      route(req, res).catch((error: unknown) => {
        if (error instanceof BadRequest) return sendJson(res, 400, { error: error.name, message: error.message });
        options.log.line('webapp', `${req.method} ${req.url} failed: ${messageOf(error)}`);
        sendJson(res, 500, { error: 'InternalError', message: messageOf(error) });
      });
    },
    close() {
      dynamodb.destroy();
      for (const client of presigners.values()) client.destroy();
    },
  };
}

/** One key segment of the upload grammar: a non-empty string, not `.` or `..`, without `/`. */
function segment(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${field} is required`);
  if (value.includes('/')) throw new BadRequest(`${field} must not contain "/"`);
  if (value === '.' || value === '..') throw new BadRequest(`${field} must not be "." or ".."`);
  return value;
}
