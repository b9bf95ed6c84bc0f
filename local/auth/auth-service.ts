import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileAdapter } from './file-adapter';
import { interactionHandler, sendPage } from './interactions';
import { loadOrCreateKeys, publicJwks } from './keys';
import { errorPage } from './pages';
import { loadProvider } from './load-provider';
import { userInfoHandler } from './userinfo';
import type { AppClientModel, UserPoolModel } from './user-pool-model';
import { UserStore } from './user-store';

/**
 * The local user pool on the stack's endpoint: the OpenID Connect provider (discovery, JWKS, authorize, token,
 * userinfo, revoke, logout) and its sign-in pages under one mount (/_auth), with users, keys and sessions in
 * <data>/auth/.
 */
export interface AuthService {
  issuer: string;
  clients: AppClientModel[];
  /** The provider's public signing keys (what its JWKS endpoint serves). */
  jwks: { keys: Record<string, unknown>[] };
  authDir: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export interface AuthServiceOptions {
  issuer: string;
  /** The path the provider is served under, e.g. /_auth. */
  mount: string;
  pool: UserPoolModel;
  dataDir: string;
  log(line: string): void;
}

export async function startAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { mount, pool, log } = options;
  const authDir = path.join(options.dataDir, 'auth');
  const keys = await loadOrCreateKeys(path.join(authDir, 'keys.json'));
  const users = new UserStore(path.join(authDir, 'users.json'), pool.passwordPolicy);
  const { createProvider, ROUTES } = await loadProvider();
  const provider = createProvider({
    issuer: options.issuer,
    pool,
    users,
    keys,
    store: fileAdapter(path.join(authDir, 'provider-store.json')),
    interactionPath: (uid) => `${mount}/interaction/${uid}`,
    log,
  });
  const callback = provider.callback();
  const interactions = interactionHandler({
    provider,
    users,
    policy: pool.passwordPolicy,
    secret: keys.cookieKeys[0] as string,
    mount,
    dataDir: options.dataDir,
    log,
  });
  const jwks = publicJwks(keys) as AuthService['jwks'];
  const userInfo = userInfoHandler({ issuer: options.issuer, clients: pool.clients, jwks, users });
  return {
    issuer: options.issuer,
    clients: pool.clients,
    jwks,
    authDir,
    handle(req, res) {
      const url = req.url ?? '/';
      const rest = url.slice(mount.length) || '/';
      const pathname = rest.split('?')[0] ?? '/';
      if (pathname.startsWith('/interaction/')) {
        interactions(req, res, pathname).catch((error: unknown) => {
          log(`sign-in page failed: ${(error as Error).stack ?? String(error)}`);
          if (!res.headersSent) sendPage(res, 500, errorPage('The local sign-in failed; see the stack log.'));
        });
        return;
      }
      // oidc-provider finds its mount path by comparing originalUrl with url, as under Express.
      Object.assign(req, { originalUrl: url, url: rest.startsWith('/') ? rest : `/${rest}` });
      if (pathname !== ROUTES.userinfo) return void callback(req, res);
      userInfo(req, res).then(
        (answered) => answered || void callback(req, res),
        () => void callback(req, res),
      );
    },
  };
}
