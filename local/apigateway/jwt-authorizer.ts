import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/**
 * API Gateway's JWT authorizer for HTTP APIs, with jose: the token from the identity source (a "Bearer " prefix is
 * dropped), signed by a key of the issuer's JWKS with an asymmetric algorithm, `iss` equal to the issuer, `exp` in
 * the future, `nbf` and `iat` in the past, and `aud` among the audiences, or, when the token has no `aud`, its
 * `client_id`. Otherwise 401. A route with authorization scopes also needs one of them in `scope` (or `scp`), else 403.
 * The claims reach the function as strings, as API Gateway passes them.
 */
export interface JwtAuthorizerCheck {
  issuer: string;
  audience: string[];
  keys: JWTVerifyGetKey;
  /** The route's AuthorizationScopes; empty for none. */
  scopes: string[];
  /** Seconds since the epoch (tests). */
  now?: () => number;
}

export type AuthorizerResult =
  | { ok: true; claims: Record<string, string>; scopes: string[] | null }
  | { ok: false; status: 401 | 403; message: 'Unauthorized' | 'Forbidden'; reason: string };

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

export async function authorizeJwt(identity: string | undefined, check: JwtAuthorizerCheck): Promise<AuthorizerResult> {
  const token = identity?.trim().replace(/^bearer\s+/i, '');
  if (!token) return refuse('no token in the identity source');
  const now = check.now ?? (() => Math.floor(Date.now() / 1000));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, check.keys, {
      issuer: check.issuer,
      algorithms: ALGORITHMS,
      currentDate: new Date(now() * 1000),
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    return refuse((error as Error).message);
  }
  if (typeof payload.iat === 'number' && payload.iat > now()) return refuse('"iat" is in the future');
  const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const audienceOk =
    payload.aud !== undefined
      ? audiences.some((aud) => check.audience.includes(aud))
      : typeof payload.client_id === 'string' && check.audience.includes(payload.client_id);
  if (!audienceOk) return refuse(`neither "aud" nor "client_id" is one of ${check.audience.join(', ')}`);
  const scopes = tokenScopes(payload);
  if (check.scopes.length > 0 && !check.scopes.some((scope) => scopes?.includes(scope)))
    return { ok: false, status: 403, message: 'Forbidden', reason: `none of the scopes ${check.scopes.join(', ')}` };
  return { ok: true, claims: stringClaims(payload), scopes };
}

function refuse(reason: string): AuthorizerResult {
  return { ok: false, status: 401, message: 'Unauthorized', reason };
}

function tokenScopes(payload: JWTPayload): string[] | null {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.map(String);
  return null;
}

/** API Gateway hands claims over as strings: numbers and booleans as text, lists as "[a b]", objects as JSON. */
export function stringClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      if (Array.isArray(value)) return [name, `[${value.map(String).join(' ')}]`];
      if (value !== null && typeof value === 'object') return [name, JSON.stringify(value)];
      return [name, String(value)];
    }),
  );
}
