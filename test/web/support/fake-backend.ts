import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Route } from 'playwright-core';
import type { Album, Execution, Photo } from '../../../web/src/api/types';
import { IMAGES } from '../../support/test-stack';

/**
 * The API, the OpenID Connect provider and the storage of docs/api.md, answered inside Chromium (playwright's
 * request routing) from a few objects in memory, so the pages can be driven through every state (a flagged photo,
 * faces, a 409, a 401) without a stack. The browser suite against a real local stack is browser.test.ts.
 */
export interface FakeBackend {
  albums: Album[];
  photos: Photo[];
  executions: Map<string, Execution>;
  /** "METHOD /path" of every API request, in order. */
  requests: string[];
  /** Answer the next API request with 401. */
  expireSession(): void;
}

const NOW = '2026-03-01T10:00:00.000Z';
const jwt = (claims: object) =>
  ['{"alg":"none"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.x';

export async function installFakeBackend(context: BrowserContext, base: string): Promise<FakeBackend> {
  const state: FakeBackend & { expired: boolean } = {
    albums: [],
    photos: [],
    executions: new Map(),
    requests: [],
    expired: false,
    expireSession() {
      state.expired = true;
    },
  };
  await context.route(`${base}/_auth/**`, (route) => answerAuth(route, base));
  await context.route(`${base}/_api/**`, (route) => answerApi(route, state, base));
  await context.route(`${base}/_storage/**`, (route) => answerStorage(route, state));
  return state;
}

function answerAuth(route: Route, base: string) {
  const url = new URL(route.request().url());
  const issuer = `${base}/_auth`;
  switch (url.pathname) {
    case '/_auth/.well-known/openid-configuration':
      return route.fulfill({
        json: {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          end_session_endpoint: `${issuer}/session/end`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
        },
      });
    case '/_auth/auth': {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'code-1');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return route.fulfill({ status: 302, headers: { location: back.href } });
    }
    case '/_auth/token': {
      const claims = { sub: 'user-1', iss: issuer, email: 'alice@example.com', exp: Date.now() / 1000 + 3600 };
      return route.fulfill({
        json: { access_token: jwt(claims), id_token: jwt(claims), token_type: 'Bearer', expires_in: 3600 },
      });
    }
    case '/_auth/session/end': {
      const back = new URL(url.searchParams.get('post_logout_redirect_uri') ?? '');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return route.fulfill({ status: 302, headers: { location: back.href } });
    }
    default:
      return route.fulfill({ status: 404, json: { error: 'NotFound' } });
  }
}

function answerApi(route: Route, state: FakeBackend & { expired: boolean }, base: string) {
  const request = route.request();
  const url = new URL(request.url());
  const apiPath = url.pathname.slice('/_api'.length);
  state.requests.push(`${request.method()} ${apiPath}`);
  if (state.expired) return route.fulfill({ status: 401, json: { message: 'Unauthorized' } });
  const [, collection, id, sub] = apiPath.split('/');
  const body = () => JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
  const key = `${request.method()} ${collection}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}`;
  switch (key) {
    case 'GET albums':
      return route.fulfill({ json: { albums: state.albums } });
    case 'POST albums': {
      const album = {
        albumId: `album-${state.albums.length + 1}`,
        name: String(body().name),
        createdAt: NOW,
        photoCount: 0,
      };
      state.albums.unshift(album);
      return route.fulfill({ status: 201, json: album });
    }
    case 'DELETE albums/:id': {
      const album = state.albums.find((each) => each.albumId === id);
      if (album && album.photoCount > 0)
        return route.fulfill({ status: 409, json: { error: 'AlbumNotEmpty', message: 'Album holds photos' } });
      state.albums = state.albums.filter((each) => each.albumId !== id);
      return route.fulfill({ status: 204 });
    }
    case 'GET photos': {
      const albumId = url.searchParams.get('albumId');
      const photos = state.photos.filter((photo) => albumId === null || photo.albumId === albumId).map(advance);
      return route.fulfill({ json: { photos } });
    }
    case 'GET photos/:id': {
      const photo = state.photos.find((each) => each.imageId === id);
      if (!photo) return route.fulfill({ status: 404, json: { error: 'NotFound', message: 'No such photo' } });
      return route.fulfill({ json: { ...advance(photo), originalUrl: `${base}/_storage/original/${photo.fileName}` } });
    }
    case 'GET photos/:id/execution': {
      const execution = state.executions.get(id ?? '');
      return execution
        ? route.fulfill({ json: execution })
        : route.fulfill({ status: 404, json: { error: 'NotFound' } });
    }
    case 'DELETE photos/:id':
      state.photos = state.photos.filter((each) => each.imageId !== id);
      return route.fulfill({ status: 202, json: { imageId: id, status: 'DELETING' } });
    case 'POST uploads': {
      const upload = body();
      const imageId = `image-${state.photos.length + 1}`;
      const fields = { key: `private/user-1/uploads/${String(upload.fileName)}`, 'x-image-id': imageId };
      return route.fulfill({
        status: 201,
        json: { url: `${base}/_storage/upload`, fields, key: fields.key, imageId, expiresIn: 900, maxBytes: 1000000 },
      });
    }
    default:
      return route.fulfill({ status: 404, json: { error: 'NotFound', message: `No route ${key}` } });
  }
}

/** A photo that was PROCESSING when listed is SUCCEEDED when asked again: processing takes one poll. */
function advance(photo: Photo): Photo {
  if (photo.status !== 'PROCESSING') return photo;
  const before = { ...photo };
  Object.assign(photo, {
    status: 'SUCCEEDED',
    updatedAt: '2026-03-01T10:00:05.000Z',
    labels: [{ name: 'Person', confidence: 97, parents: [] }],
  });
  return before;
}

function answerStorage(route: Route, state: FakeBackend) {
  const request = route.request();
  const url = new URL(request.url());
  if (request.method() === 'POST') {
    const form = request.postDataBuffer()?.toString('latin1') ?? '';
    const imageId = /name="x-image-id"\r\n\r\n([^\r]*)/.exec(form)?.[1] ?? 'image-x';
    const fileName = /filename="([^"]*)"/.exec(form)?.[1] ?? 'file';
    state.photos.unshift({
      imageId,
      fileName,
      status: 'PROCESSING',
      uploadedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      thumbnailUrl: `${new URL(request.url()).origin}/_storage/thumb/skimage_astronaut.png`,
    });
    return route.fulfill({ status: 204 });
  }
  const file = path.basename(url.pathname);
  const type = file.endsWith('.png') ? 'image/png' : 'image/jpeg';
  return route.fulfill({ status: 200, contentType: type, body: readFileSync(path.join(IMAGES, file)) });
}
