import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { localUserTokens } from '../../local/cli/token';
import { objectEvent } from '../../local/events/s3-object-events';
import { sigv4Headers } from '../e2e/support/signed';
import type { TestStack } from './test-stack';

/**
 * The HTTP API of a running local stack as its clients use it: users signed in through the provider's code + PKCE
 * flow (what `npm run token` does), JSON calls with a bearer token, and the browser's multipart form to a presigned
 * POST. Tokens the authorizer must refuse are made here too.
 */
export interface ApiUser {
  name: string;
  sub: string;
  token: string;
  idToken: string;
}

export interface ApiAnswer {
  status: number;
  /** The body as JSON, undefined when there is none. */
  json: any;
  headers: Headers;
}

/** What POST /uploads answers (docs/api.md, "Upload"). */
export interface Upload {
  url: string;
  fields: Record<string, string>;
  key: string;
  imageId: string;
  expiresIn: number;
  maxBytes: number;
}

export interface Album {
  albumId: string;
  name: string;
  createdAt: string;
  photoCount: number;
  coverUrl?: string;
}

/** The fields of a listed photo the tests read (docs/api.md, "Photos"). */
export interface ListedPhoto {
  imageId: string;
  fileName: string;
  uploadedAt: string;
  thumbnail?: { key: string };
}

export interface FormAnswer {
  status: number;
  /** S3's error code (`<Code>`), when it refused. */
  code?: string;
  text: string;
}

export async function signIn(endpoint: string, name: string): Promise<ApiUser> {
  const tokens = await localUserTokens({ endpoint, user: name });
  const sub = decodeJwt(tokens.access_token).sub;
  if (!sub) throw new Error(`The access token of ${name} has no sub`);
  return { name, sub, token: tokens.access_token, idToken: tokens.id_token };
}

/**
 * A caller of the API at `apiUrl`. `as` is a user, a raw Authorization value, or undefined for none; a string body
 * is sent as it is (bad JSON), anything else as JSON.
 */
export function httpApi(apiUrl: string) {
  return async (as: ApiUser | string | undefined, method: string, route: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    const authorization = typeof as === 'string' ? as : as && `Bearer ${as.token}`;
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${apiUrl}${route}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

export type HttpApi = ReturnType<typeof httpApi>;

/**
 * Posts a file to a presigned POST the way a browser's FormData does: every field first, the file last under the
 * name `file` with its name and type. `fields` replaces the upload's (to send a changed form; pairs to repeat a name).
 */
export async function postForm(
  upload: Pick<Upload, 'url' | 'fields'>,
  file: { bytes: Uint8Array; name: string; type: string },
  fields: Record<string, string> | [string, string][] = upload.fields,
): Promise<FormAnswer> {
  const form = new FormData();
  for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  const response = await fetch(upload.url, { method: 'POST', body: form });
  const text = await response.text();
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  return { status: response.status, text, ...(code ? { code } : {}) };
}

/** The stack's own signing key (what its provider signs with), from its data folder. */
function stackSigningKey(dataDir: string): JWK {
  const keys = JSON.parse(readFileSync(path.join(dataDir, 'auth', 'keys.json'), 'utf8')) as { jwks: { keys: JWK[] } };
  const key = keys.jwks.keys[0];
  if (!key) throw new Error('The stack has no signing key');
  return key;
}

async function signed(payload: JWTPayload, kid: string, key: Parameters<SignJWT['sign']>[0]): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key);
}

/**
 * Tokens with the claims of `token` that the authorizer must refuse: signed by the stack's own key but expired an
 * hour ago, signed by another key under the same `kid` (forged), and the claims changed after signing (tampered:
 * `sub` made `otherSub`).
 */
export async function refusedTokens(dataDir: string, token: string, otherSub: string) {
  const key = stackSigningKey(dataDir);
  const kid = String(key.kid);
  const claims = decodeJwt(token);
  const now = Math.floor(Date.now() / 1000);
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...claims, sub: otherSub })).toString('base64url');
  return {
    expired: await signed({ ...claims, iat: now - 7200, exp: now - 3600 }, kid, await importJWK(key, 'RS256')),
    forged: await signed(claims, kid, (await generateKeyPair('RS256')).privateKey),
    tampered: `${header}.${payload}.${signature}`,
  };
}

/**
 * The front door of a test stack with the calls its tests repeat: upload policies, uploads through them, one photo
 * or album, every page of a listing, whether a key exists, and an S3 event delivered again to its rule's function.
 */
export function frontDoorOf(t: TestStack) {
  const api = httpApi(t.stack.model.outputs.HttpApiUrl?.value ?? '');
  async function createUpload(user: ApiUser, body: Record<string, unknown>): Promise<Upload> {
    const answer = await api(user, 'POST', '/uploads', body);
    expect(answer.status, JSON.stringify(answer.json)).to.equal(201);
    return answer.json as Upload;
  }
  return {
    api,
    createUpload,
    /** POST /uploads for the file, then the form to its presigned POST, which must take it. */
    async upload(user: ApiUser, file: { bytes: Uint8Array; name: string; type: string }, albumId?: string) {
      const policy = await createUpload(user, {
        fileName: file.name,
        contentType: file.type,
        size: file.bytes.length,
        ...(albumId ? { albumId } : {}),
      });
      const posted = await postForm(policy, file);
      expect(posted.status, posted.text).to.equal(204);
      return policy;
    },
    photo: async (user: ApiUser, imageId: string) => (await api(user, 'GET', `/photos/${imageId}`)).json,
    async album(user: ApiUser, albumId: string): Promise<Album | undefined> {
      return ((await api(user, 'GET', '/albums')).json.albums as Album[]).find((a) => a.albumId === albumId);
    },
    /** Every page of a listing (`query` without `next`), and the pages' sizes. */
    async allPages(user: ApiUser, query: string) {
      const photos: ListedPhoto[] = [];
      const sizes: number[] = [];
      let next: string | undefined;
      do {
        const page = await api(user, 'GET', `/photos?${query}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
        expect(page.status, JSON.stringify(page.json)).to.equal(200);
        photos.push(...page.json.photos);
        sizes.push(page.json.photos.length);
        next = page.json.next;
      } while (next);
      return { photos, sizes };
    },
    exists: (key: string) =>
      t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key })).then(
        () => true,
        () => false,
      ),
    /**
     * Delivers an S3 event of `key` with this sequencer to the function its rule targets, as EventBridge may deliver
     * an event twice, and answers what the function returned.
     */
    async redeliver(kind: 'created' | 'deleted', key: string, sequencer: string) {
      const { region, accountId } = t.stack.model.identity;
      const reason = kind === 'created' ? 'PostObject' : 'DeleteObject';
      const event = objectEvent({ kind, bucket: t.bucket, key, reason }, sequencer, region, accountId);
      const rule = t.stack.model.rules.find((candidate) =>
        JSON.stringify(candidate.pattern).includes(kind === 'created' ? 'Object Created' : 'Object Deleted'),
      );
      const answer = await fetch(`${t.stack.endpoint}/2015-03-31/functions/${rule?.target}/invocations`, {
        method: 'POST',
        headers: sigv4Headers('lambda'),
        body: JSON.stringify(event),
      });
      const text = await answer.text();
      expect([answer.status, answer.headers.get('x-amz-function-error')], text).to.deep.equal([200, null]);
      return JSON.parse(text) as { key: string; outcome: string }[];
    },
  };
}
