import { expect } from 'chai';
import { BadRequest, Forbidden, PayloadTooLarge, Unauthorized } from '../../../functions/lib/api-errors';
import { apiRequestOf, jsonBody, MAX_BODY_BYTES, queryOf } from '../../../functions/lib/api-request';
import { eventFixture } from '../../support/aws-mocks';

type Event = Record<string, any>;
const fixture = (name: string): Event => eventFixture<Event>(name);
const SUB = fixture('list-albums.json').requestContext.authorizer.jwt.claims.sub as string;

describe('apiRequestOf (payload format 2.0)', () => {
  it('takes the caller from the verified claims, with the route, request id, path, query and body', () => {
    const request = apiRequestOf(fixture('rename-album.json'));
    expect(request).to.deep.equal({
      userId: SUB,
      routeKey: 'PATCH /albums/{albumId}',
      requestId: 'Kf3mZjT3IAMEVsC=',
      pathParameters: { albumId: 'holidays' },
      query: {},
      body: '{"name":"Summer in Tuscany"}',
    });
  });

  it('never takes the caller from headers, query, path or body', () => {
    const event = fixture('list-photos.json');
    event.headers['x-user-id'] = 'mallory';
    event.queryStringParameters.userId = 'mallory';
    event.pathParameters = { userId: 'mallory' };
    event.body = JSON.stringify({ userId: 'mallory', sub: 'mallory' });
    event.requestContext.authorizer.lambda = { sub: 'mallory' };
    expect(apiRequestOf(event).userId).to.equal(SUB);
  });

  it('answers 401 when no authorizer claims are present (the authorizer did not run)', () => {
    const event = fixture('list-albums.json');
    delete event.requestContext.authorizer;
    expect(() => apiRequestOf(event)).to.throw(Unauthorized);
    expect(() => apiRequestOf(undefined)).to.throw(Unauthorized);
    const noSub = fixture('list-albums.json');
    delete noSub.requestContext.authorizer.jwt.claims.sub;
    expect(() => apiRequestOf(noSub)).to.throw(Unauthorized);
  });

  it('answers 403 for an id token and for a subject that cannot name a folder', () => {
    const idToken = fixture('list-albums.json');
    idToken.requestContext.authorizer.jwt.claims.token_use = 'id';
    expect(() => apiRequestOf(idToken)).to.throw(Forbidden, /access token/);
    for (const sub of ['', '..', 'a/b', 'a#b', 'a\nb', 'x'.repeat(129)]) {
      const event = fixture('list-albums.json');
      event.requestContext.authorizer.jwt.claims.sub = sub;
      expect(() => apiRequestOf(event), JSON.stringify(sub)).to.throw(Forbidden);
    }
  });

  it('decodes a base64 body and refuses one over 16 KiB with 413', () => {
    const event = fixture('create-album.json');
    event.body = Buffer.from('{"name":"été"}').toString('base64');
    event.isBase64Encoded = true;
    expect(apiRequestOf(event).body).to.equal('{"name":"été"}');
    event.isBase64Encoded = false;
    event.body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
    expect(() => apiRequestOf(event)).to.throw(PayloadTooLarge, /16384/);
  });
});

describe('jsonBody and queryOf', () => {
  const request = (body: string | undefined, query: Record<string, string> = {}) => ({
    ...apiRequestOf(fixture('create-album.json')),
    body,
    query,
  });

  it('answers the parsed object', () => {
    expect(jsonBody(request('{"name":"a"}'), ['name'])).to.deep.equal({ name: 'a' });
  });

  it('refuses no body, non-JSON, a non-object and unknown fields with 400', () => {
    expect(() => jsonBody(request(undefined), ['name'])).to.throw(BadRequest, /needs a JSON body/);
    expect(() => jsonBody(request('{name:'), ['name'])).to.throw(BadRequest, /not JSON/);
    for (const body of ['[]', '"a"', 'null', '3']) {
      expect(() => jsonBody(request(body), ['name']), body).to.throw(BadRequest, /JSON object/);
    }
    expect(() => jsonBody(request('{"name":"a","owner":"b"}'), ['name'])).to.throw(BadRequest, /owner/);
  });

  it('refuses query parameters the route does not know', () => {
    expect(queryOf(request(undefined, { limit: '5' }), ['limit'])).to.deep.equal({ limit: '5' });
    expect(() => queryOf(request(undefined, { limt: '5' }), ['limit'])).to.throw(BadRequest, /limt/);
  });
});
