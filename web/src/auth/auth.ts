import { UserManager, type User } from 'oidc-client-ts';
import type { AuthConfig } from '../config';

/**
 * Sign-in with the OAuth 2.0 authorization code flow + PKCE (oidc-client-ts): Cognito's managed login on AWS, the
 * local OpenID Connect provider offline. Only config.json differs. The access token is what the API takes.
 */
export type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; name: string; sessionEnded: boolean };

export interface Auth {
  /** Finishes a sign-in (or sign-out) redirect when the URL carries one, else loads the stored user. */
  start(): Promise<void>;
  /** Goes to the provider's sign-in page; `returnTo` (a #route) is where the app opens after it. */
  signIn(returnTo: string): Promise<void>;
  signOut(): Promise<void>;
  accessToken(): Promise<string | undefined>;
  /** The API answered 401: the token is no longer accepted. */
  sessionEnded(): void;
  state(): AuthState;
  subscribe(listener: () => void): () => void;
}

interface ReturnState {
  returnTo?: string;
}

export function createAuth(config: AuthConfig): Auth {
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.postLogoutRedirectUri,
    response_type: 'code',
    scope: config.scope,
    // Renewal uses the refresh token when the provider gave one; when it cannot renew, the session ends in words.
    automaticSilentRenew: true,
  });
  let current: AuthState = { status: 'loading' };
  const listeners = new Set<() => void>();
  const set = (next: AuthState) => {
    current = next;
    for (const listener of listeners) listener();
  };
  const signedIn = (user: User) => set({ status: 'signed-in', name: displayName(user), sessionEnded: false });
  const ended = () => {
    if (current.status === 'signed-in') set({ ...current, sessionEnded: true });
  };
  manager.events.addUserLoaded(signedIn);
  manager.events.addUserUnloaded(() => set({ status: 'signed-out' }));
  manager.events.addAccessTokenExpired(ended);

  return {
    async start() {
      const url = new URL(window.location.href);
      if (url.searchParams.has('state')) return finishRedirect(manager, url, signedIn, set);
      const user = await manager.getUser();
      if (user && !user.expired) signedIn(user);
      else set({ status: 'signed-out', ...(user ? { reason: 'Your session has ended: sign in again.' } : {}) });
    },
    async signIn(returnTo) {
      try {
        await manager.signinRedirect({ state: { returnTo } satisfies ReturnState });
      } catch (error) {
        set({ status: 'signed-out', reason: `The sign-in page could not be reached: ${errorText(error)}` });
      }
    },
    async signOut() {
      const user = await manager.getUser();
      await manager.removeUser();
      if (config.signOutUrl) {
        window.location.assign(config.signOutUrl);
        return;
      }
      try {
        await manager.signoutRedirect({ ...(user?.id_token ? { id_token_hint: user.id_token } : {}) });
      } catch {
        // A provider without an end-session endpoint: the local sign-out (tokens forgotten) is all there is.
        set({ status: 'signed-out' });
      }
    },
    async accessToken() {
      const user = await manager.getUser();
      return user && !user.expired ? user.access_token : undefined;
    },
    sessionEnded: ended,
    state: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The provider sent the browser back: a sign-in (code or error) or a sign-out; the URL is cleaned either way. */
async function finishRedirect(
  manager: UserManager,
  url: URL,
  signedIn: (user: User) => void,
  set: (state: AuthState) => void,
): Promise<void> {
  const params = url.searchParams;
  try {
    if (params.has('code') || params.has('error')) {
      const user = await manager.signinCallback(url.href);
      const returnTo = (user?.state as ReturnState | undefined)?.returnTo ?? '';
      window.history.replaceState(null, '', `${url.pathname}${returnTo}`);
      if (user) signedIn(user);
      return;
    }
    await manager.signoutCallback(url.href);
    window.history.replaceState(null, '', url.pathname);
    set({ status: 'signed-out' });
  } catch (error) {
    window.history.replaceState(null, '', url.pathname);
    set({ status: 'signed-out', reason: `Sign-in did not complete: ${errorText(error)}` });
  }
}

function displayName(user: User): string {
  const profile = user.profile as Record<string, unknown>;
  const name = profile.email ?? profile['cognito:username'] ?? profile.preferred_username ?? profile.sub;
  return typeof name === 'string' ? name : 'signed in';
}

function errorText(error: unknown): string {
  const described = error as { error_description?: unknown; message?: unknown };
  if (typeof described.error_description === 'string') return described.error_description;
  return typeof described.message === 'string' ? described.message : String(error);
}
