import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet } from 'jose';
import { authorizeJwt } from '../apigateway/jwt-authorizer';
import { sendJson } from '../http/respond';
import type { AppClientModel } from './user-pool-model';
import type { UserStore } from './user-store';

/**
 * Cognito's userInfo endpoint takes the access token the API takes. oidc-provider's refuses it by design (a token
 * for a resource server is not for userinfo), so this answers first for those tokens: checked like the API's
 * authorizer does, an access token with the openid scope, the user's claims as Cognito names them. Any other
 * request goes on to oidc-provider's own endpoint.
 */
export function userInfoHandler(options: {
  issuer: string;
  clients: AppClientModel[];
  jwks: { keys: Record<string, unknown>[] };
  users: UserStore;
}) {
  const keys = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
  const audience = options.clients.map((client) => client.clientId);
  const origins = new Set(options.clients.flatMap((client) => client.callbackUrls.map((url) => new URL(url).origin)));

  /** Answers and returns true for a token of ours; false to let oidc-provider answer. */
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const header = req.headers.authorization;
    if (!header || !/^bearer\s/i.test(header)) return false;
    const result = await authorizeJwt(header, { issuer: options.issuer, audience, keys, scopes: ['openid'] });
    if (!result.ok || result.claims.token_use !== 'access') return false;
    const user = options.users.findBySub(result.claims.sub ?? '');
    if (!user) return false;
    const origin = req.headers.origin;
    sendJson(
      res,
      200,
      { sub: user.sub, email: user.email, email_verified: String(user.emailVerified), username: user.sub },
      'application/json',
      {
        'cache-control': 'no-store',
        ...(origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
      },
    );
    return true;
  };
}
