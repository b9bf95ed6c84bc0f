import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebConfig } from '../../../web/src/config';
import { CACHE_IMMUTABLE, WebBuildFailed, type WebFile } from '../../../web/build/build-app';
import { silentLog } from '../../../local/log';
import { loadStackModel } from '../../../local/stack-model';
import { createWebApp } from '../../../local/web/web-app';
import { loadTemplate, resourcesOfType } from '../../../local/template';
import { startTestStack, type TestStack } from '../../support/test-stack';

describe('local stack: the web app at /_app/', function () {
  this.timeout(60000);
  let test: TestStack;
  let base: string;
  before(async () => {
    test = await startTestStack();
    base = `http://localhost:${test.stack.port}`;
  });
  after(() => test?.stop());

  it('serves the built app with the security headers CloudFront adds', async () => {
    const page = await fetch(`${base}/_app/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).to.equal('no-cache');
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("frame-ancestors 'none'").and.include("script-src 'self'").and.include("default-src 'self'");
    expect(csp).to.include(`connect-src 'self' ${base} http://127.0.0.1:${test.stack.port}`);
    const script = /src="\.\/(main-[A-Z0-9]+\.js)"/.exec(await page.text())?.[1];
    const asset = await fetch(`${base}/_app/${script}`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.equal(CACHE_IMMUTABLE);
    expect(asset.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
  });

  it("sends the headers of the template's CloudFront response headers policy, with local origins", async function () {
    const policy = resourcesOfType(loadTemplate(), 'AWS::CloudFront::ResponseHeadersPolicy')[0]?.[1];
    if (!policy) {
      console.log('    skipped: template.yaml has no AWS::CloudFront::ResponseHeadersPolicy yet (issue 12, hosting)');
      return this.skip();
    }
    const security = (policy.Properties as any).ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const cspValue = security.ContentSecurityPolicy.ContentSecurityPolicy;
    const templateCsp: string = typeof cspValue === 'string' ? cspValue : cspValue['Fn::Sub'];
    const directives = (csp: string): Record<string, string[]> =>
      Object.fromEntries(
        csp
          .split(';')
          .map((part) => part.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
    const page = await fetch(`${base}/_app/`);
    const local = directives(page.headers.get('content-security-policy') ?? '');
    const aws = directives(templateCsp);
    expect(Object.keys(local).sort()).to.deep.equal(Object.keys(aws).sort());
    // Sources that name no AWS host are the same; the AWS hosts are this stack's origins locally.
    for (const [name, values] of Object.entries(aws))
      expect(local[name], name).to.include.members(values.filter((value: string) => !value.includes('amazon')));
    expect(page.headers.get('strict-transport-security')).to.equal(
      `max-age=${security.StrictTransportSecurity.AccessControlMaxAgeSec}${security.StrictTransportSecurity.IncludeSubdomains ? '; includeSubDomains' : ''}`,
    );
    expect(page.headers.get('x-frame-options')).to.equal(security.FrameOptions.FrameOption);
    expect(page.headers.get('referrer-policy')).to.equal(security.ReferrerPolicy.ReferrerPolicy);
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('serves config.json made from the local outputs: the local API, provider and callback URL', async () => {
    const answer = await fetch(`${base}/_app/config.json`);
    expect(answer.headers.get('cache-control')).to.equal('no-cache');
    const config = parseWebConfig(await answer.json());
    expect(config).to.deep.include({ apiUrl: `${base}/_api`, executionConsole: false });
    expect(config.auth).to.deep.include({
      authority: `${base}/_auth`,
      redirectUri: `${base}/_app/`,
      postLogoutRedirectUri: `${base}/_app/`,
      scope: 'openid email profile',
    });
    expect(config.auth.signOutUrl).to.equal(undefined);
  });

  it('redirects /_app and the 127.0.0.1 name to the callback URL’s origin, and refuses other methods', async () => {
    const bare = await fetch(`${base}/_app?x=1`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).to.deep.equal([308, '/_app/?x=1']);
    const ip = await fetch(`http://127.0.0.1:${test.stack.port}/_app/#/albums`, { redirect: 'manual' });
    expect([ip.status, ip.headers.get('location')]).to.deep.equal([308, `${base}/_app/`]);
    const post = await fetch(`${base}/_app/`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).to.deep.equal([405, 'GET, HEAD']);
    const missing = await fetch(`${base}/_app/..%2f..%2fpackage.json`);
    expect(missing.status).to.equal(404);
    expect(await fetch(`${base}/_app/nothing.js`).then((r) => r.status)).to.equal(404);
  });
});

describe('local web app server: a build that fails', () => {
  it('answers 500 in words and builds again on the next request', async () => {
    let builds = 0;
    const index: WebFile = {
      path: 'index.html',
      contents: Buffer.from('<p>ok</p>'),
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'no-cache',
    };
    const build = async () => {
      builds += 1;
      if (builds === 1) throw new WebBuildFailed('The web app does not build: web/src/app.tsx:3: Unexpected "}"');
      return [index];
    };
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const identity = {
      region: 'us-east-1',
      accountId: '000000000000',
      stackName: 'local',
      endpoint: `http://127.0.0.1:${port}`,
    };
    const model = loadStackModel({ identity });
    const app = createWebApp({ model, log: silentLog(), build });
    server.on('request', (req, res) => app.handle(req, res));
    try {
      const failed = await fetch(`http://localhost:${port}/_app/`);
      expect(failed.status).to.equal(500);
      expect(await failed.text()).to.include('WebBuildFailed: The web app does not build: web/src/app.tsx:3');
      const fixed = await fetch(`http://localhost:${port}/_app/`);
      expect([fixed.status, await fixed.text(), builds]).to.deep.equal([200, '<p>ok</p>', 2]);
    } finally {
      server.close();
    }
  });
});
