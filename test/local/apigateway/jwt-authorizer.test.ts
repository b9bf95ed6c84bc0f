import { expect } from 'chai';
import type { webcrypto } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { authorizeJwt, stringClaims, type JwtAuthorizerCheck } from '../../../local/apigateway/jwt-authorizer';

type CryptoKey = webcrypto.CryptoKey;

/** The local JWT authorizer against tokens signed here with a key of the issuer's JWKS, or with another key. */
describe('JWT authorizer', () => {
  const issuer = 'http://localhost:4566/_auth';
  const clientId = 'UserPoolClient';
  // Read when each token is made: mocha may run this file minutes after loading it.
  const now = () => Math.floor(Date.now() / 1000);
  let issuerKey: CryptoKey;
  let strangerKey: CryptoKey;
  let keys: JWTVerifyGetKey;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    issuerKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
  });

  const accessClaims = (extra: JWTPayload = {}): JWTPayload => ({
    sub: 'user-1',
    iss: issuer,
    client_id: clientId,
    token_use: 'access',
    scope: 'openid email profile',
    iat: now() - 10,
    exp: now() + 3600,
    ...extra,
  });
  const sign = (claims: JWTPayload, key: CryptoKey = issuerKey, kid = 'k1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
  const check = (extra: Partial<JwtAuthorizerCheck> = {}): JwtAuthorizerCheck => ({
    issuer,
    audience: [clientId],
    keys,
    scopes: [],
    ...extra,
  });

  it('accepts an access token of the app client (client_id, no aud) and passes its claims and scopes', async () => {
    const claims = accessClaims();
    const result = await authorizeJwt(`Bearer ${await sign(claims)}`, check());
    expect(result).to.deep.include({ ok: true, scopes: ['openid', 'email', 'profile'] });
    if (!result.ok) throw new Error('refused');
    expect(result.claims).to.include({
      sub: 'user-1',
      token_use: 'access',
      client_id: clientId,
      exp: String(claims.exp),
    });
  });

  it('takes the token with or without the Bearer prefix', async () => {
    expect((await authorizeJwt(await sign(accessClaims()), check())).ok).to.equal(true);
    expect((await authorizeJwt(`bearer  ${await sign(accessClaims())}`, check())).ok).to.equal(true);
  });

  it('accepts an id token (aud is the client) and tells it apart by token_use, without scopes', async () => {
    const idToken = await sign({
      sub: 'user-1',
      iss: issuer,
      aud: clientId,
      token_use: 'id',
      email: 'a@example.com',
      iat: now(),
      exp: now() + 60,
    });
    const result = await authorizeJwt(`Bearer ${idToken}`, check());
    expect(result).to.deep.include({ ok: true, scopes: null });
    if (result.ok) expect(result.claims).to.include({ token_use: 'id', aud: clientId, email: 'a@example.com' });
  });

  const refusals: [string, () => Promise<string | undefined>][] = [
    ['no header', async () => undefined],
    ['an empty header', async () => 'Bearer '],
    ['not a JWT', async () => 'Bearer not-a-token'],
    ['an expired token', () => sign(accessClaims({ iat: now() - 7200, exp: now() - 3600 }))],
    ['a token not valid yet (nbf)', () => sign(accessClaims({ nbf: now() + 600 }))],
    ['a token issued in the future (iat)', () => sign(accessClaims({ iat: now() + 600 }))],
    ['a token without exp', () => sign(accessClaims({ exp: undefined }))],
    ['a token signed by another key under the same kid (forged)', () => sign(accessClaims(), strangerKey)],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [header, , signature] = (await sign(accessClaims())).split('.');
        const payload = Buffer.from(JSON.stringify(accessClaims({ sub: 'someone-else' }))).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['a token of another issuer', () => sign(accessClaims({ iss: 'http://localhost:4567/_auth' }))],
    ['a token of another client', () => sign(accessClaims({ client_id: 'OtherClient' }))],
    [
      'a token whose aud is another client, even with the right client_id',
      () => sign(accessClaims({ aud: 'OtherClient' })),
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${encode({ alg: 'none', kid: 'k1' })}.${encode(accessClaims())}.`;
      },
    ],
  ];
  for (const [what, token] of refusals)
    it(`refuses ${what} with 401 Unauthorized`, async () => {
      const value = await token();
      const result = await authorizeJwt(
        value === undefined ? undefined : value.startsWith('Bearer') ? value : `Bearer ${value}`,
        check(),
      );
      expect(result).to.include({ ok: false, status: 401, message: 'Unauthorized' });
    });

  it('answers 403 Forbidden when the route wants a scope the token lacks, and lets it through when it has one', async () => {
    const token = `Bearer ${await sign(accessClaims())}`;
    expect(await authorizeJwt(token, check({ scopes: ['admin'] }))).to.include({
      ok: false,
      status: 403,
      message: 'Forbidden',
    });
    expect((await authorizeJwt(token, check({ scopes: ['admin', 'email'] }))).ok).to.equal(true);
  });

  it('hands claims over as strings, as API Gateway does', () => {
    expect(stringClaims({ a: 'x', n: 5, b: true, list: ['g1', 'g2'], o: { k: 1 } })).to.deep.equal({
      a: 'x',
      n: '5',
      b: 'true',
      list: '[g1 g2]',
      o: '{"k":1}',
    });
  });
});
