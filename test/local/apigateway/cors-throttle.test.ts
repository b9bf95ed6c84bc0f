import { expect } from 'chai';
import { allowedOrigin, isPreflight, preflightHeaders, responseCorsHeaders } from '../../../local/apigateway/cors';
import type { CorsModel } from '../../../local/apigateway/http-api-model';
import { TokenBucket } from '../../../local/apigateway/throttle';

describe('HTTP API CORS', () => {
  const cors: CorsModel = {
    allowOrigins: ['http://localhost:4566', 'https://*.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: ['x-echo'],
    maxAge: 600,
    allowCredentials: false,
  };

  it('allows listed origins and wildcard subdomains, nothing else', () => {
    expect(allowedOrigin(cors, 'http://localhost:4566')).to.equal('http://localhost:4566');
    expect(allowedOrigin(cors, 'https://app.example.com')).to.equal('https://app.example.com');
    expect(allowedOrigin(cors, 'https://example.com')).to.equal(undefined);
    expect(allowedOrigin(cors, 'http://app.example.com')).to.equal(undefined);
    expect(allowedOrigin(cors, 'http://localhost:4567')).to.equal(undefined);
    expect(allowedOrigin({ ...cors, allowOrigins: ['*'] }, 'http://any')).to.equal('*');
    expect(allowedOrigin({ ...cors, allowOrigins: ['*'], allowCredentials: true }, 'http://any')).to.equal(
      'http://any',
    );
  });

  it('answers a preflight with the configured methods, headers and max age, for an allowed origin only', () => {
    const request = {
      origin: 'http://localhost:4566',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    };
    expect(isPreflight('OPTIONS', request)).to.equal(true);
    expect(isPreflight('OPTIONS', { origin: 'http://localhost:4566' })).to.equal(false);
    expect(preflightHeaders(cors, request)).to.deep.equal({
      'access-control-allow-origin': 'http://localhost:4566',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(preflightHeaders(cors, { ...request, origin: 'https://evil.example.org' })).to.deep.equal({});
  });

  it('puts allow-origin and expose headers on answers to allowed origins', () => {
    expect(responseCorsHeaders(cors, 'http://localhost:4566')).to.deep.equal({
      'access-control-allow-origin': 'http://localhost:4566',
      'access-control-expose-headers': 'x-echo',
      vary: 'Origin',
    });
    expect(responseCorsHeaders(cors, undefined)).to.deep.equal({});
  });
});

describe('HTTP API throttling', () => {
  it('lets a burst through, refuses the next request, and refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ burstLimit: 3, rateLimit: 2 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).to.deep.equal([true, true, true, false]);
    now += 500; // half a second at 2 per second: one request
    expect([bucket.take(), bucket.take()]).to.deep.equal([true, false]);
    now += 60_000; // never more than the burst
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).to.deep.equal([true, true, true, false]);
  });

  it('refuses everything with a burst limit of 0', () => {
    expect(new TokenBucket({ burstLimit: 0, rateLimit: 100 }, () => 0).take()).to.equal(false);
  });
});
