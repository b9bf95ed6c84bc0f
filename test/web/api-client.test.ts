import { expect } from 'chai';
import { createApiClient } from '../../web/src/api/client';
import { apiErrorOf, describeApiError, type ApiError } from '../../web/src/api/errors';

/** A fetch that answers one canned response and records what it was asked. */
function fakeFetch(status: number, body: string, contentType = 'application/json') {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(status === 204 ? null : body, { status, headers: { 'content-type': contentType } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function client(fetch: typeof globalThis.fetch, signedIn = true) {
  const token = signedIn ? 'token-1' : undefined;
  const unauthorized: number[] = [];
  const api = createApiClient({
    apiUrl: 'https://api.example/',
    accessToken: async () => token,
    onUnauthorized: () => unauthorized.push(1),
    fetch,
  });
  return { api, unauthorized };
}

describe('web API client', () => {
  it('sends the access token and JSON, and answers the typed value', async () => {
    const album = { albumId: 'a1', name: 'Holidays', createdAt: '2026-01-01T00:00:00Z', photoCount: 0 };
    const { fetch, calls } = fakeFetch(201, JSON.stringify(album));
    const result = await client(fetch).api.createAlbum('Holidays');
    expect(result).to.deep.equal({ ok: true, value: album });
    expect(calls[0]?.url).to.equal('https://api.example/albums');
    expect(calls[0]?.init.method).to.equal('POST');
    expect((calls[0]?.init.headers as Record<string, string>).authorization).to.equal('Bearer token-1');
    expect(calls[0]?.init.body).to.equal('{"name":"Holidays"}');
  });

  it('encodes ids in paths and builds the photo query', async () => {
    const { fetch, calls } = fakeFetch(200, '{"photos":[],"next":"n+1"}');
    const { api } = client(fetch);
    await api.listPhotos({ albumId: 'a b', limit: 24, next: 'x/y=' });
    await api.getPhoto('id/../x');
    expect(calls[0]?.url).to.equal('https://api.example/photos?albumId=a+b&limit=24&next=x%2Fy%3D');
    expect(calls[1]?.url).to.equal('https://api.example/photos/id%2F..%2Fx');
  });

  it('answers 204 for a deleted album', async () => {
    const { fetch } = fakeFetch(204, '');
    expect(await client(fetch).api.deleteAlbum('a1')).to.deep.equal({ ok: true, value: undefined });
  });

  it('maps 409 AlbumNotEmpty to a typed error and words, not the body', async () => {
    const body = JSON.stringify({ error: 'AlbumNotEmpty', message: 'Album a1 holds 3 photos' });
    const result = await client(fakeFetch(409, body).fetch).api.deleteAlbum('a1');
    expect(result).to.deep.equal({
      ok: false,
      error: { kind: 'api', name: 'AlbumNotEmpty', status: 409, message: 'Album a1 holds 3 photos' },
    });
    if (result.ok) throw new Error('expected an error');
    expect(describeApiError(result.error)).to.equal(
      'This album still holds photos: delete them first, then the album.',
    );
  });

  it("treats API Gateway's 401 as Unauthorized and tells the app to sign in again", async () => {
    const { api, unauthorized } = client(fakeFetch(401, '{"message":"Unauthorized"}').fetch);
    const result = await api.listAlbums();
    expect(result).to.deep.equal({ ok: false, error: { kind: 'api', name: 'Unauthorized', status: 401 } });
    expect(unauthorized).to.have.length(1);
  });

  it('asks for no request without a token: the session is over', async () => {
    const { fetch, calls } = fakeFetch(200, '{"albums":[]}');
    const { api, unauthorized } = client(fetch, false);
    const result = await api.listAlbums();
    expect(result.ok).to.equal(false);
    expect(calls).to.have.length(0);
    expect(unauthorized).to.have.length(1);
  });

  it('reports a network failure, a server error and an answer outside the contract', async () => {
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    expect(await client(offline).api.listAlbums()).to.deep.equal({ ok: false, error: { kind: 'network' } });
    const html = fakeFetch(502, '<html>Bad gateway</html>', 'text/html').fetch;
    expect(await client(html).api.listAlbums()).to.deep.equal({ ok: false, error: { kind: 'server', status: 502 } });
    const wrong = fakeFetch(200, '{"items":[]}').fetch;
    expect(await client(wrong).api.listAlbums()).to.deep.equal({
      ok: false,
      error: { kind: 'unexpected', status: 200 },
    });
  });
});

describe('API error mapping', () => {
  it('names a documented error by its body, else by its status', () => {
    expect(apiErrorOf(400, '{"error":"BadRequest","message":"name must not be empty"}')).to.deep.equal({
      kind: 'api',
      name: 'BadRequest',
      status: 400,
      message: 'name must not be empty',
    });
    expect(apiErrorOf(429, '{"message":"Too Many Requests"}')).to.deep.equal({
      kind: 'api',
      name: 'TooManyRequests',
      status: 429,
    });
    // API Gateway's own 404 has no error name: its message is not one of ours.
    expect(describeApiError(apiErrorOf(404, '{"message":"Not Found"}'))).to.equal(
      'Not found: it may have been deleted.',
    );
    expect(apiErrorOf(413, 'not json')).to.deep.equal({ kind: 'api', name: 'PayloadTooLarge', status: 413 });
    expect(apiErrorOf(418, '{}')).to.deep.equal({ kind: 'unexpected', status: 418 });
    expect(apiErrorOf(503, '')).to.deep.equal({ kind: 'server', status: 503 });
  });

  it('says every error in a sentence, and never shows JSON or markup from a body', () => {
    const errors: ApiError[] = [
      { kind: 'network' },
      { kind: 'server', status: 500 },
      { kind: 'unexpected', status: 418 },
      { kind: 'api', name: 'NotFound', status: 404 },
      { kind: 'api', name: 'BadRequest', status: 400, message: '{"raw":"json"}' },
      { kind: 'api', name: 'Forbidden', status: 403, message: '<html>denied</html>' },
    ];
    for (const error of errors) {
      const words = describeApiError(error);
      expect(words, JSON.stringify(error)).to.match(/^[A-Z].*[.:].*$/);
      expect(words).not.to.match(/[{<]/);
    }
    expect(describeApiError({ kind: 'api', name: 'BadRequest', status: 400, message: 'name is too long' })).to.equal(
      'name is too long',
    );
  });
});
