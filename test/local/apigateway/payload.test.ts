import { expect } from 'chai';
import {
  buildEvent,
  isTextType,
  MalformedLambdaResponse,
  mapResult,
  type GatewayRequest,
} from '../../../local/apigateway/payload';

/** Payload format 2.0: the event a function gets, and how its answer becomes HTTP. */
describe('payload format 2.0', () => {
  const request = (extra: Partial<GatewayRequest> = {}): GatewayRequest => ({
    method: 'GET',
    rawPath: '/albums/a%20b',
    rawQueryString: 'limit=5&tag=x&tag=y%20z',
    headers: {
      host: ['localhost:4566'],
      'user-agent': ['curl/8'],
      accept: ['text/html', 'application/json'],
      cookie: ['a=1; b=2', 'c=3'],
    },
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    ...extra,
  });
  const context = {
    routeKey: 'GET /albums/{albumId}',
    pathParameters: { albumId: 'a b' },
    apiId: 'httpapi',
    accountId: '000000000000',
    stage: '$default',
    requestId: 'req-1',
    time: Date.UTC(2020, 2, 12, 19, 3, 58),
    authorizer: { claims: { sub: 'user-1' }, scopes: ['openid'] },
  };

  it('builds the event: route, raw path and query, joined headers and query values, cookies apart, path parameters', () => {
    const event = buildEvent(request(), context);
    expect(event).to.deep.include({
      version: '2.0',
      routeKey: 'GET /albums/{albumId}',
      rawPath: '/albums/a%20b',
      rawQueryString: 'limit=5&tag=x&tag=y%20z',
      cookies: ['a=1', 'b=2', 'c=3'],
      queryStringParameters: { limit: '5', tag: 'x,y z' },
      pathParameters: { albumId: 'a b' },
      isBase64Encoded: false,
    });
    expect(event.headers).to.deep.equal({
      host: 'localhost:4566',
      'user-agent': 'curl/8',
      accept: 'text/html,application/json',
    });
    expect(event).not.to.have.property('body');
  });

  it('fills requestContext as API Gateway does, with the authorizer claims and scopes', () => {
    const { requestContext } = buildEvent(request(), context);
    expect(requestContext).to.deep.include({
      accountId: '000000000000',
      apiId: 'httpapi',
      domainName: 'localhost:4566',
      domainPrefix: 'localhost',
      requestId: 'req-1',
      routeKey: 'GET /albums/{albumId}',
      stage: '$default',
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: context.time,
    });
    expect(requestContext.http).to.deep.equal({
      method: 'GET',
      path: '/albums/a%20b',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'curl/8',
    });
    expect(requestContext.authorizer.jwt).to.deep.equal({ claims: { sub: 'user-1' }, scopes: ['openid'] });
  });

  it('leaves out what the request does not have: query, path parameters, cookies, authorizer', () => {
    const event = buildEvent(request({ rawQueryString: '', headers: { host: ['localhost'] } }), {
      ...context,
      pathParameters: {},
      authorizer: undefined,
    });
    for (const field of ['queryStringParameters', 'pathParameters', 'cookies', 'body'])
      expect(event).not.to.have.property(field);
    expect(event.requestContext).not.to.have.property('authorizer');
  });

  it('passes a text body as text and any other body base64-encoded', () => {
    const json = buildEvent(
      request({
        method: 'POST',
        body: Buffer.from('{"name":"Été"}'),
        headers: { 'content-type': ['application/json; charset=utf-8'] },
      }),
      context,
    );
    expect(json).to.include({ body: '{"name":"Été"}', isBase64Encoded: false });
    const bytes = Buffer.from([0, 255, 1]);
    const binary = buildEvent(
      request({ method: 'POST', body: bytes, headers: { 'content-type': ['image/png'] } }),
      context,
    );
    expect(binary).to.include({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(isTextType('text/plain')).to.equal(true);
    expect(isTextType('application/vnd.api+json')).to.equal(true);
    expect(isTextType(undefined)).to.equal(false);
  });

  it('maps a structured answer: status, headers, cookies, body, base64 body', () => {
    const answer = mapResult({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-N': 5 },
      cookies: ['a=1', 'b=2'],
      body: 'made',
    });
    expect(answer).to.deep.include({
      status: 201,
      headers: { 'content-type': 'text/plain', 'x-n': '5' },
      cookies: ['a=1', 'b=2'],
    });
    expect(answer.body.toString()).to.equal('made');
    const binary = mapResult({
      statusCode: 200,
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    expect([...binary.body]).to.deep.equal([1, 2, 3]);
    expect(mapResult({ statusCode: 204 }).body.length).to.equal(0);
  });

  it('maps an answer without statusCode to 200 JSON: an object as JSON text, a string as itself', () => {
    const object = mapResult({ albums: [] });
    expect(object).to.deep.include({ status: 200, headers: { 'content-type': 'application/json' } });
    expect(object.body.toString()).to.equal('{"albums":[]}');
    expect(mapResult('hello').body.toString()).to.equal('hello');
    expect(mapResult(null)).to.include({ status: 200 });
  });

  it('refuses a malformed structured answer (API Gateway answers 500)', () => {
    expect(() => mapResult({ statusCode: 'teapot' })).to.throw(MalformedLambdaResponse);
    expect(() => mapResult({ statusCode: 200, body: { not: 'a string' } })).to.throw(MalformedLambdaResponse);
    expect(() => mapResult({ statusCode: 200, cookies: 'a=1' })).to.throw(MalformedLambdaResponse);
  });
});
