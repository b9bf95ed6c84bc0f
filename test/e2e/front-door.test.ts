import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { codeFlowTokens, type TokenSet } from '../../local/auth/code-flow-client';
import { latestCode } from '../../local/auth/inbox';
import { PROJECT_ROOT } from '../../local/template';
import { runCli } from './support/spawn';
import { writeFrontDoorTemplate } from '../support/front-door-template';
import { rejection, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * The front door of a real local stack (port 0), from a copy of template.yaml with a user pool, an HTTP API and an
 * echo function: the provider's code + PKCE flow for two users, the API's authorizer and payload, npm run token, the
 * outputs, a restart, and presigned POST uploads.
 */
describe('local front door (provider, HTTP API, token CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  let templatePath: string;
  let t: TestStack;
  let health: {
    dataDir: string;
    outputs: Record<string, string>;
    auth: { issuer: string; clients: { clientId: string; redirectUris: string[] }[] };
  };
  const tokens: Record<string, TokenSet> = {};

  const issuer = () => health.auth.issuer;
  const api = (route: string, init: RequestInit = {}) => fetch(`${health.outputs.HttpApiUrl}${route}`, init);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const signInAs = (user: string, password = 'Local-password-1') =>
    codeFlowTokens({
      issuer: issuer(),
      clientId: health.outputs.UserPoolClientId as string,
      redirectUri: health.auth.clients[0]?.redirectUris[0] as string,
      email: `${user}@example.com`,
      password,
      readCode: (email) => latestCode(t.dataDir, email),
    });
  const start = async (port = 0) => {
    t = await startTestStack({
      port,
      templatePath,
      codeRoot: PROJECT_ROOT,
      dataDir: path.join(dir, 'data'),
      recognition: false,
    });
    health = (await (await fetch(`${t.stack.endpoint}/_local/health`)).json()) as typeof health;
  };

  before(async () => {
    dir = tempDir('e2e-front-door-');
    templatePath = writeFrontDoorTemplate(dir);
    await start();
  });
  after(async () => {
    await t?.stop({ keepData: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers DescribeStacks and /_local/health with the local URLs config.json is made from', async () => {
    const port = t.stack.port;
    const cloudformation = new CloudFormationClient({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'local' }));
    cloudformation.destroy();
    const outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    expect(outputs).to.include({
      HttpApiUrl: `http://localhost:${port}/_api`,
      WebAppUrl: `http://localhost:${port}/_app/`,
      AuthIssuer: `http://localhost:${port}/_auth`,
      AuthUrl: `http://localhost:${port}/_auth`,
      UserPoolClientId: health.auth.clients[0]?.clientId,
    });
    expect(health.outputs).to.deep.include(outputs);
    expect(health.auth.clients[0]?.redirectUris).to.include(`http://localhost:${port}/_app/`);
  });

  it('serves discovery and JWKS: code flow with S256 PKCE only, on Cognito paths, RS256 keys', async () => {
    const discovery = (await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).to.deep.include({
      issuer: issuer(),
      authorization_endpoint: `${issuer()}/oauth2/authorize`,
      token_endpoint: `${issuer()}/oauth2/token`,
      userinfo_endpoint: `${issuer()}/oauth2/userInfo`,
      end_session_endpoint: `${issuer()}/logout`,
      jwks_uri: `${issuer()}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => [key.kty, key.alg])).to.deep.equal([['RSA', 'RS256']]);
    expect(jwks.keys[0]).not.to.have.property('d');
  });

  it('signs up two users through the code + PKCE flow and issues tokens with Cognito claim names', async () => {
    tokens.alice = await signInAs('alice');
    tokens.bob = await signInAs('bob');
    const access = decodeJwt(tokens.alice.access_token);
    const id = decodeJwt(tokens.alice.id_token);
    const clientId = health.outputs.UserPoolClientId;
    expect(access).to.include({
      iss: issuer(),
      client_id: clientId,
      token_use: 'access',
      scope: 'openid email profile',
      username: access.sub,
    });
    expect(access).to.have.property('auth_time');
    expect(id).to.include({
      iss: issuer(),
      aud: clientId,
      token_use: 'id',
      email: 'alice@example.com',
      email_verified: true,
      'cognito:username': access.sub,
    });
    expect(decodeJwt(tokens.bob.access_token).sub).not.to.equal(access.sub);
    expect(tokens.alice.refresh_token).to.be.a('string');
  });

  it("answers userInfo for the API's access token, as Cognito does, and refuses an id token there", async () => {
    const info = await fetch(`${issuer()}/oauth2/userInfo`, { headers: bearer(tokens.alice!.access_token) });
    expect(await info.json()).to.deep.equal({
      sub: decodeJwt(tokens.alice!.access_token).sub,
      email: 'alice@example.com',
      email_verified: 'true',
      username: decodeJwt(tokens.alice!.access_token).sub,
    });
    expect((await fetch(`${issuer()}/oauth2/userInfo`, { headers: bearer(tokens.alice!.id_token) })).status).to.equal(
      401,
    );
  });

  it('signs out through the end session endpoint and shows the signed-out page', async () => {
    const first = await fetch(`${issuer()}/logout`);
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const page = await first.text();
    const action = /action="([^"]+)"/.exec(page)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] as string;
    const confirm = await fetch(new URL(action, issuer()), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    const done =
      confirm.status === 303
        ? await fetch(new URL(confirm.headers.get('location') as string, issuer()), { headers: { cookie } })
        : confirm;
    expect(await done.text()).to.include('You are signed out of the local stack.');
  });

  it('signs a known user in again with the password only, and refuses a wrong password', async () => {
    const again = await codeFlowTokens({
      issuer: issuer(),
      clientId: health.outputs.UserPoolClientId as string,
      redirectUri: health.auth.clients[0]?.redirectUris[0] as string,
      email: 'alice@example.com',
      password: 'Local-password-1',
    });
    expect(decodeJwt(again.access_token).sub).to.equal(decodeJwt(tokens.alice!.access_token).sub);
    const wrong = await rejection(signInAs('alice', 'Wrong-password-1'));
    expect(wrong.message).to.include('Incorrect e-mail address or password.');
  });

  it('refuses an authorization request without PKCE and one for an unregistered redirect URI', async () => {
    const params = {
      client_id: health.outputs.UserPoolClientId as string,
      response_type: 'code',
      scope: 'openid',
      state: 's',
    };
    const noPkce = await fetch(
      `${issuer()}/oauth2/authorize?${new URLSearchParams({ ...params, redirect_uri: health.auth.clients[0]?.redirectUris[0] as string })}`,
      { redirect: 'manual' },
    );
    expect(new URL(noPkce.headers.get('location') ?? '').searchParams.get('error')).to.equal('invalid_request');
    const elsewhere = await fetch(
      `${issuer()}/oauth2/authorize?${new URLSearchParams({ ...params, redirect_uri: 'https://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).to.equal(400);
    expect(elsewhere.headers.get('location')).to.equal(null);
  });

  it('hands the function a payload 2.0 event whose claims are the caller, for each of two users', async () => {
    for (const user of ['alice', 'bob']) {
      const answer = await api('/echo/it%20em?tag=a&tag=b', { headers: bearer(tokens[user]!.access_token) });
      expect(answer.status).to.equal(200);
      const event = (await answer.json()) as any;
      expect(event).to.deep.include({
        routeKey: 'GET /echo/{itemId}',
        rawPath: '/echo/it%20em',
        pathParameters: { itemId: 'it em' },
        queryStringParameters: { tag: 'a,b' },
      });
      expect(event.requestContext.authorizer.jwt.claims).to.include({
        sub: decodeJwt(tokens[user]!.access_token).sub,
        token_use: 'access',
      });
      expect(event.requestContext.authorizer.jwt.scopes).to.deep.equal(['openid', 'email', 'profile']);
    }
    const posted = (await (
      await api('/echo', {
        method: 'POST',
        headers: { ...bearer(tokens.alice!.access_token), 'content-type': 'application/json' },
        body: '{"name":"Holidays"}',
      })
    ).json()) as any;
    expect(posted).to.include({ body: '{"name":"Holidays"}', isBase64Encoded: false });
  });

  it('answers 401 {"message":"Unauthorized"} for a missing, expired, forged or tampered token, and never calls the function', async () => {
    const key = JSON.parse(readFileSync(path.join(t.dataDir, 'auth', 'keys.json'), 'utf8')).jwks.keys[0] as JWK;
    const claims = decodeJwt(tokens.alice!.access_token);
    const sign = async (payload: JWTPayload, signingKey: Parameters<SignJWT['sign']>[0]) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid as string }).sign(signingKey);
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({ ...claims, iat: now - 7200, exp: now - 3600 }, await importJWK(key, 'RS256'));
    const forged = await sign(claims, (await generateKeyPair('RS256')).privateKey);
    const [header, , signature] = tokens.alice!.access_token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: decodeJwt(tokens.bob!.access_token).sub })).toString('base64url')}.${signature}`;
    for (const headers of [{}, bearer(expired), bearer(forged), bearer(tampered), bearer('nonsense')]) {
      const answer = await api('/echo/x?shape=throw', { headers });
      expect(answer.status).to.equal(401);
      expect(await answer.json()).to.deep.equal({ message: 'Unauthorized' });
    }
    expect(readFileSync(path.join(t.dataDir, 'stack.log'), 'utf8')).not.to.include(
      'The echo function was asked to fail',
    );
  });

  it('lets an id token through the authorizer, as API Gateway does, with token_use "id" for the function to refuse', async () => {
    const event = (await (await api('/echo/x', { headers: bearer(tokens.alice!.id_token) })).json()) as any;
    expect(event.requestContext.authorizer.jwt.claims).to.include({ token_use: 'id', email: 'alice@example.com' });
  });

  it('answers CORS preflights without a token, puts CORS headers on a 401, and maps cookies and binary bodies', async () => {
    const origin = 'http://localhost:4566';
    const preflight = await api('/echo/x', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(origin);
    expect(preflight.headers.get('access-control-allow-headers')).to.equal('authorization,content-type');
    const refused = await api('/echo/x', { headers: { origin } });
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).to.deep.equal([401, origin]);
    const cookies = await api('/public?shape=cookies', { headers: { origin } });
    expect(cookies.status).to.equal(201);
    expect(cookies.headers.getSetCookie()).to.deep.equal(['first=1; Path=/', 'second=2; Path=/']);
    expect(cookies.headers.get('access-control-allow-origin')).to.equal(origin);
    const binary = await api('/public?shape=binary');
    expect([...new Uint8Array(await binary.arrayBuffer())]).to.deep.equal([0, 1, 2, 255]);
    expect((await api('/public?shape=malformed')).status).to.equal(500);
  });

  it('answers 403 for a missing scope, 404 for no route, 429 past the route throttle, 413 for a body over 10 MB', async () => {
    const headers = bearer(tokens.alice!.access_token);
    expect(await (await api('/scoped', { headers })).json()).to.deep.equal({ message: 'Forbidden' });
    expect(await (await api('/nowhere', { headers })).json()).to.deep.equal({ message: 'Not Found' });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api('/throttled', { headers })).status);
    expect(statuses).to.deep.equal([200, 200, 429]);
    const big = await api('/echo', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 32),
    });
    expect([big.status, await big.json()]).to.deep.equal([413, { message: 'Request Entity Too Large' }]);
  });

  it('npm run token prints only a token the API accepts, creating the user if absent; one line when no stack answers', async () => {
    const run = await runCli('local/cli/token.ts', ['--user', 'carol', '--endpoint', t.stack.endpoint]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const event = (await (await api('/echo/x', { headers: bearer(run.stdout.trim()) })).json()) as any;
    expect(event.requestContext.authorizer.jwt.claims.sub).to.equal(decodeJwt(run.stdout.trim()).sub);
    const again = await runCli('local/cli/token.ts', ['--user', 'carol', '--endpoint', t.stack.endpoint]);
    expect(decodeJwt(again.stdout.trim()).sub).to.equal(decodeJwt(run.stdout.trim()).sub);
    const down = await runCli('local/cli/token.ts', ['--user', 'carol', '--endpoint', 'http://127.0.0.1:9']);
    expect(down.code).to.equal(1);
    expect(down.stderr.trim().split('\n')).to.deep.equal([
      'token: no local stack answers at http://127.0.0.1:9 (start one with npm start, or pass --endpoint URL)',
    ]);
  });

  it('protects its forms: a POST without the CSRF token or from another origin is refused; fields are labelled', async () => {
    const authorize = `${issuer()}/oauth2/authorize?${new URLSearchParams({ client_id: health.outputs.UserPoolClientId as string, response_type: 'code', scope: 'openid', redirect_uri: health.auth.clients[0]?.redirectUris[0] as string, code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' })}`;
    const first = await fetch(authorize, { redirect: 'manual' });
    const cookie = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const pageUrl = new URL(first.headers.get('location') as string, issuer()).href;
    const page = await (await fetch(pageUrl, { headers: { cookie } })).text();
    for (const id of ['email', 'password'])
      expect(page).to.match(new RegExp(`<label for="${id}">[^<]+</label><input id="${id}" name="${id}"`));
    const form = { email: 'alice@example.com', password: 'Local-password-1' };
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${pageUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body),
      });
    expect((await post(form)).status).to.equal(403);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
    expect((await post({ ...form, csrf }, { origin: 'https://evil.example' })).status).to.equal(403);
    expect((await post({ ...form, csrf: `${csrf}x` })).status).to.equal(403);
    expect((await post({ ...form, csrf })).status).to.equal(303);
  });

  it('takes presigned POST uploads within their policy only: oversize and out-of-prefix uploads store nothing', async () => {
    const s3 = new S3Client({
      endpoint: t.stack.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sub = decodeJwt(tokens.alice!.access_token).sub as string;
    const key = `private/${sub}/uploads/cat.png`;
    const post = await createPresignedPost(s3, {
      Bucket: t.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, 1000],
        ['eq', '$Content-Type', 'image/png'],
      ],
      Fields: { 'Content-Type': 'image/png' },
      Expires: 60,
    });
    const upload = async (fields: Record<string, string>, bytes: number) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'cat.png');
      const answer = await fetch(post.url, { method: 'POST', body: form });
      return { status: answer.status, text: await answer.text() };
    };
    const exists = (objectKey: string) =>
      s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: objectKey })).then(
        () => true,
        () => false,
      );
    const otherKey = `private/${decodeJwt(tokens.bob!.access_token).sub}/uploads/cat.png`;
    expect(await upload({ ...post.fields, key: otherKey }, 10)).to.deep.include({ status: 403 });
    const large = await upload(post.fields, 1001);
    expect(large.status).to.equal(400);
    expect(large.text).to.include('<Code>EntityTooLarge</Code>');
    expect([await exists(key), await exists(otherKey)]).to.deep.equal([false, false]);
    expect((await upload(post.fields, 10)).status).to.equal(204);
    expect(await exists(key)).to.equal(true);
    s3.destroy();
  });

  it('keeps users, keys and sessions across a restart: old tokens still pass, users sign in without a new code', async () => {
    const port = t.stack.port;
    await t.stop({ keepData: true });
    await start(port);
    expect((await api('/echo/x', { headers: bearer(tokens.bob!.access_token) })).status).to.equal(200);
    const again = await signInAs('bob');
    expect(decodeJwt(again.access_token).sub).to.equal(decodeJwt(tokens.bob!.access_token).sub);
    const refreshed = await fetch(`${issuer()}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.alice!.refresh_token as string,
        client_id: health.outputs.UserPoolClientId as string,
      }),
    });
    expect(refreshed.status).to.equal(200);
    const access = ((await refreshed.json()) as TokenSet).access_token;
    expect(decodeJwt(access)).to.include({ sub: decodeJwt(tokens.alice!.access_token).sub, token_use: 'access' });
  });
});
