import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AdapterStore } from './file-adapter';
import type { ProviderKeys } from './keys';
import { errorPage, logoutPage, signedOutPage } from './pages';
import type { AppClientModel, UserPoolModel } from './user-pool-model';
import type { UserStore } from './user-store';

/**
 * The local user pool's OpenID Connect provider: oidc-provider (panva), configured to behave like Cognito's managed
 * login for the template's app clients. Public clients, authorization code + PKCE (S256) only; access tokens are JWTs
 * (RS256) with Cognito's claim names, for one resource, the stack's HTTP API; id tokens carry the e-mail; no consent
 * step (Cognito has none for a pool's own clients). Endpoints sit on Cognito's paths.
 */
export interface ProviderOptions {
  issuer: string;
  pool: UserPoolModel;
  users: UserStore;
  keys: ProviderKeys;
  store: AdapterStore;
  /** Path of the sign-in page of an interaction (under the provider's mount). */
  interactionPath(uid: string): string;
  log(line: string): void;
}

/** The one resource the access tokens are for: the stack's HTTP API. Never sent by clients; the default. */
export const API_RESOURCE = 'urn:local-stack:http-api';

export const ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userInfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth2/revoke',
  end_session: '/logout',
} as const;

export function createProvider(options: ProviderOptions): Provider {
  const { pool, users } = options;
  const byId = new Map(pool.clients.map((client) => [client.clientId, client]));
  const ttlOf = (clientId: string | undefined) => byId.get(clientId ?? '') ?? pool.clients[0];
  const scopes = [...new Set(['openid', ...pool.clients.flatMap((client) => client.scopes)])];
  const configuration: Configuration = {
    adapter: options.store.adapter,
    clients: pool.clients.filter((client) => client.callbackUrls.length > 0).map(clientMetadata),
    jwks: options.keys.jwks as Configuration['jwks'],
    cookies: { keys: options.keys.cookieKeys },
    scopes,
    responseTypes: ['code'],
    claims: { openid: ['sub', 'cognito:username', 'token_use'], email: ['email', 'email_verified'], profile: [] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    routes: ROUTES,
    interactions: { url: (_ctx, interaction) => options.interactionPath(interaction.uid) },
    features: features(ttlOf),
    ttl: ttl(ttlOf),
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    loadExistingGrant,
    extraTokenClaims: (ctx, token) => {
      const { AuthorizationCode: code, RefreshToken: refresh } = ctx.oidc.entities;
      const authTime = code?.authTime ?? refresh?.authTime;
      return {
        token_use: 'access',
        ...('accountId' in token ? { username: token.accountId } : {}),
        ...(authTime !== undefined ? { auth_time: authTime } : {}),
      };
    },
    findAccount: (_ctx, sub) => {
      const user = users.findBySub(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: (use) => ({
          sub,
          email: user.email,
          email_verified: user.emailVerified,
          'cognito:username': sub,
          ...(use === 'id_token' ? { token_use: 'id' } : {}),
        }),
      };
    },
    clientBasedCORS: (_ctx, origin, client) =>
      [...(client.redirectUris ?? []), ...(client.postLogoutRedirectUris ?? [])].some(
        (uri) => new URL(uri).origin === origin,
      ),
    renderError: (ctx, out) => html(ctx, errorPage(out.error_description ?? out.error ?? 'Something went wrong')),
  };
  const provider = new Provider(options.issuer, configuration);
  provider.on('server_error', (_ctx, error) => options.log(`provider error: ${error.stack ?? String(error)}`));
  return provider;
}

type ClientTtl = (clientId: string | undefined) => AppClientModel | undefined;

/** No dev pages, revocation, userinfo, JWT access tokens for the HTTP API (the one resource), RP-initiated logout. */
function features(ttlOf: ClientTtl): Configuration['features'] {
  return {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API_RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource, client) => {
        if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: client.scope ?? 'openid',
          // oidc-provider requires an audience in JWT access tokens; the client id passes the API's authorizer
          // the same way Cognito's client_id claim does.
          audience: client.clientId,
          accessTokenTTL: ttlOf(client.clientId)?.accessTokenTtlSeconds ?? 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: (ctx, form) => html(ctx, logoutPage(form)),
      postLogoutSuccessSource: (ctx) => html(ctx, signedOutPage()),
    },
  };
}

/** Token lifetimes: the app client's (Cognito's defaults when it sets none); codes and pages short-lived. */
function ttl(ttlOf: ClientTtl): Configuration['ttl'] {
  return {
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
    AuthorizationCode: 300,
    IdToken: (_ctx, _token, client) => ttlOf(client.clientId)?.idTokenTtlSeconds ?? 3600,
    RefreshToken: (ctx, _token, client) =>
      ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ??
      ttlOf(client.clientId)?.refreshTokenTtlSeconds ??
      30 * 86_400,
    Interaction: 3600,
    Session: 14 * 86_400,
    Grant: 365 * 86_400,
  };
}

function clientMetadata(client: AppClientModel): ClientMetadata {
  return {
    client_id: client.clientId,
    client_name: client.logicalId,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    redirect_uris: client.callbackUrls,
    post_logout_redirect_uris: client.logoutUrls,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: client.scopes.join(' '),
    require_auth_time: true,
  };
}

/** The pool's own clients get every scope they are allowed without a consent page, as with Cognito. */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { client, session, result, provider } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(client.scope ?? 'openid');
  grant.addResourceScope(API_RESOURCE, client.scope ?? 'openid');
  await grant.save();
  return grant;
}

function html(ctx: KoaContextWithOIDC, page: { body: string; csp: string }) {
  ctx.type = 'html';
  ctx.set('content-security-policy', page.csp);
  ctx.set('x-frame-options', 'DENY');
  ctx.body = page.body;
}
