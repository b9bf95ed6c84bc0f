import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import {
  allowedHosts,
  configuredHosts,
  exposureWarning,
  hostRefusal,
  isNetworkReachable,
  ownOrigins,
} from '../../../local/security/hosts';
import { exactOrigins, originRefusal } from '../../../local/security/origins';
import { s3SignatureRefusal, sigv4Refusal } from '../../../local/security/signatures';

function request(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

describe('the local stack request rules', () => {
  describe('Host', () => {
    const hosts = allowedHosts(4566, '127.0.0.1', ['dev.internal', 'proxy.example:8080']);

    it('answers loopback names, bucket.localhost and configured names on the stack port', () => {
      for (const host of [
        'localhost:4566',
        '127.0.0.1:4566',
        '[::1]:4566',
        'LOCALHOST:4566',
        'photorepo.localhost:4566',
        'dev.internal:4566',
        'proxy.example:8080',
      ])
        expect(hostRefusal(host, hosts), host).to.equal(undefined);
    });

    it('refuses other names (a rebound DNS name), other ports and a missing Host, saying what it answers', () => {
      for (const host of [
        'evil.example:4566',
        'localhost:4567',
        'localhost',
        '127.0.0.1.nip.io:4566',
        'localhost.:4566',
        'a@localhost:4566',
      ])
        expect(hostRefusal(host, hosts), host).to.match(
          /is not this local stack's: it answers localhost, 127\.0\.0\.1, \[::1\]/,
        );
      expect(hostRefusal(undefined, hosts)).to.match(/no Host header/);
    });

    it('answers the bound address, and the machine addresses when bound to every interface', () => {
      expect(hostRefusal('192.168.7.9:4566', allowedHosts(4566, '192.168.7.9', []))).to.equal(undefined);
      expect(hostRefusal('[::1]:4566', allowedHosts(4566, '0.0.0.0', []))).to.equal(undefined);
      expect(hostRefusal('evil.example:4566', allowedHosts(4566, '0.0.0.0', []))).to.match(/not this local stack's/);
    });

    it('reads LOCAL_STACK_ALLOWED_HOSTS beside the option', () => {
      expect(configuredHosts({ LOCAL_STACK_ALLOWED_HOSTS: 'a.test, b.test' }, ['c.test'])).to.deep.equal([
        'c.test',
        'a.test',
        'b.test',
      ]);
    });

    it('warns when the stack is reachable from the network, and only then', () => {
      for (const host of ['0.0.0.0', '::', '192.168.1.5', 'my-laptop.lan']) {
        expect(isNetworkReachable(host), host).to.equal(true);
        expect(exposureWarning(host, 4566)).to.match(
          /WARNING: the local stack listens on .*:4566 and is reachable from the network/,
        );
      }
      for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])
        expect(exposureWarning(host, 4566), host).to.equal(undefined);
    });
  });

  describe('Origin and Sec-Fetch-Site', () => {
    const rules = ownOrigins(allowedHosts(4566, '127.0.0.1', []));
    // The bucket's CORS rule names one origin exactly and "*", which adds nothing.
    const s3 = { corsOrigins: exactOrigins(['http://localhost:5173', '*']), s3: true, localPage: false };
    const api = { s3: false, localPage: false };

    it("passes the stack's own origins, a bucket's CORS origins for that bucket, and clients that are not browsers", () => {
      expect(originRefusal(request('PUT', '/photorepo/k', { origin: 'http://localhost:4566' }), api, rules)).to.equal(
        undefined,
      );
      expect(originRefusal(request('PUT', '/photorepo/k', { origin: 'http://127.0.0.1:4566' }), s3, rules)).to.equal(
        undefined,
      );
      expect(originRefusal(request('PUT', '/photorepo/k', { origin: 'http://localhost:5173' }), s3, rules)).to.equal(
        undefined,
      );
      expect(originRefusal(request('POST', '/', {}), api, rules)).to.equal(undefined);
    });

    it('refuses other origins, "null", and a CORS origin outside what its rules cover; "*" in CORS allows no more', () => {
      for (const origin of ['https://evil.example', 'null', 'http://localhost:4567', 'http://photorepo.localhost:4566'])
        expect(originRefusal(request('GET', '/photorepo/k', { origin }), s3, rules), origin).to.match(
          /^Cross-origin request from .* refused/,
        );
      expect(originRefusal(request('POST', '/', { origin: 'http://localhost:5173' }), api, rules)).to.match(/refused/);
    });

    it('refuses a cross-site form without Origin by Sec-Fetch-Site, but passes images and navigations to local pages', () => {
      const form = request('POST', '/photorepo', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
      expect(originRefusal(form, s3, rules)).to.match(/Cross-site request refused \(Sec-Fetch-Site: cross-site\)/);
      expect(
        originRefusal(
          request('GET', '/photorepo/k', { 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'script' }),
          s3,
          rules,
        ),
      ).to.match(/refused/);
      expect(
        originRefusal(
          request('GET', '/photorepo/k', { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' }),
          s3,
          rules,
        ),
      ).to.equal(undefined);
      expect(
        originRefusal(
          request('GET', '/_app/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }),
          { s3: false, localPage: true },
          rules,
        ),
      ).to.equal(undefined);
      expect(originRefusal(request('GET', '/x', { 'sec-fetch-site': 'same-origin' }), api, rules)).to.equal(undefined);
    });
  });

  describe('signatures', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const header = `AWS4-HMAC-SHA256 Credential=AKID/20260601/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'f'.repeat(64)}`;
    const presigned = (date: string, expires: number) =>
      `/photorepo/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;

    it('takes any credentials in a SigV4 Authorization header, and refuses none, SigV2 or a malformed one', () => {
      expect(sigv4Refusal(request('POST', '/', { authorization: header }))).to.equal(undefined);
      expect(sigv4Refusal(request('POST', '/', {}))).to.match(/^Request is missing Authentication Token/);
      expect(sigv4Refusal(request('POST', '/', { authorization: 'AWS AKID:c2ln' }))).to.match(/not SigV4's/);
      expect(
        sigv4Refusal(request('POST', '/', { authorization: header.replace(/Signature=\w+/, 'Signature=zz') })),
      ).to.match(/not SigV4's/);
    });

    it('takes a current presigned S3 URL, and refuses an expired one, one from the future and SigV2 query signing', () => {
      expect(s3SignatureRefusal(request('GET', presigned('20260601T115500Z', 900), {}), false, now)).to.equal(
        undefined,
      );
      expect(s3SignatureRefusal(request('GET', presigned('20260601T100000Z', 900), {}), false, now)).to.equal(
        'Request has expired',
      );
      expect(s3SignatureRefusal(request('GET', presigned('20260601T130000Z', 900), {}), false, now)).to.equal(
        'Request is not valid yet',
      );
      expect(s3SignatureRefusal(request('GET', presigned('20260601T115500Z', 700000), {}), false, now)).to.match(
        /X-Amz-Expires must be/,
      );
      expect(
        s3SignatureRefusal(request('GET', '/photorepo/k?AWSAccessKeyId=a&Signature=b&Expires=9', {}), false, now),
      ).to.match(/Version 2/);
    });

    it('refuses an unsigned S3 request, leaves a POST form to the policy check and a CORS preflight alone', () => {
      expect(s3SignatureRefusal(request('GET', '/photorepo/k', {}), false, now)).to.match(/^Access Denied: /);
      expect(s3SignatureRefusal(request('POST', '/photorepo', {}), true, now)).to.equal(undefined);
      expect(s3SignatureRefusal(request('OPTIONS', '/photorepo/k', {}), false, now)).to.equal(undefined);
    });
  });
});
