import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { readJson, writeJson } from './json-file';

/**
 * The provider's secrets, made on first start and kept in the data folder so tokens and browser sessions outlive a
 * restart: an RSA signing key (RS256, as Cognito signs) and the keys that sign the provider's cookies.
 */
export interface ProviderKeys {
  /** Private JWKs with kid, alg and use: what oidc-provider's `jwks` takes. */
  jwks: { keys: JWK[] };
  cookieKeys: string[];
}

export async function loadOrCreateKeys(file: string): Promise<ProviderKeys> {
  const stored = readJson<ProviderKeys | undefined>(file, undefined);
  if (stored?.jwks?.keys?.length && stored.cookieKeys?.length) return stored;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const keys: ProviderKeys = {
    jwks: { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  writeJson(file, keys);
  return keys;
}

/** The public half of each key: what the JWKS endpoint serves and the API's authorizer checks against. */
export function publicJwks(keys: ProviderKeys): { keys: JWK[] } {
  return {
    keys: keys.jwks.keys.map(({ kty, n, e, kid, alg, use, crv, x, y }) =>
      Object.fromEntries(Object.entries({ kty, n, e, kid, alg, use, crv, x, y }).filter(([, v]) => v !== undefined)),
    ),
  };
}
