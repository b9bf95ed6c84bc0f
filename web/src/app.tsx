import { useMemo, useSyncExternalStore } from 'react';
import { createApiClient } from './api/client';
import { AppContext, type AppServices } from './app-context';
import type { Auth } from './auth/auth';
import type { WebConfig } from './config';
import { useRoute } from './hooks/use-route';
import { AlbumsPage } from './pages/albums-page';
import { PhotoPage } from './pages/photo-page';
import { PhotosPage } from './pages/photos-page';
import { hrefOf, type Route } from './route';

/** The shell: sign-in state, header, and the page the URL names. */
export function App({ auth, config }: { auth: Auth; config: WebConfig }) {
  const state = useSyncExternalStore(auth.subscribe, auth.state);
  const services = useMemo<AppServices>(
    () => ({
      api: createApiClient({ apiUrl: config.apiUrl, accessToken: auth.accessToken, onUnauthorized: auth.sessionEnded }),
      config,
      deletedPhotos: new Set(),
    }),
    [auth, config],
  );
  const route = useRoute();
  const signIn = () => void auth.signIn(window.location.hash);

  if (state.status === 'loading')
    return (
      <main id="main">
        <p role="status">Signing in…</p>
      </main>
    );
  if (state.status === 'signed-out') return <SignedOut reason={state.reason} onSignIn={signIn} />;
  return (
    <AppContext.Provider value={services}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={hrefOf({ page: 'albums' })}>
          Photos
        </a>
        <span className="user">{state.name}</span>
        <button type="button" onClick={() => void auth.signOut()}>
          Sign out
        </button>
      </header>
      {state.sessionEnded ? (
        <div className="session-ended" role="alert">
          <p>Your session has ended.</p>
          <button type="button" onClick={signIn}>
            Sign in again
          </button>
        </div>
      ) : null}
      <main id="main">
        <Page route={route} />
      </main>
    </AppContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'albums':
      return <AlbumsPage />;
    case 'photos':
      return (
        <PhotosPage key={route.albumId ?? ''} {...(route.albumId === undefined ? {} : { albumId: route.albumId })} />
      );
    case 'photo':
      return <PhotoPage key={route.imageId} imageId={route.imageId} />;
    case 'not-found':
      return (
        <>
          <h1>No such page</h1>
          <p>
            <a href={hrefOf({ page: 'albums' })}>Go to your albums</a>
          </p>
        </>
      );
  }
}

function SignedOut({ reason, onSignIn }: { reason?: string; onSignIn(): void }) {
  return (
    <main id="main" className="signed-out">
      <h1>Photos</h1>
      <p>Upload photos into albums and see what the image processing workflow finds in them.</p>
      {reason ? (
        <p className="error" role="alert">
          {reason}
        </p>
      ) : null}
      <button type="button" className="primary" onClick={onSignIn}>
        Sign in
      </button>
      <p className="hint">New here? The sign-in page lets you create an account.</p>
    </main>
  );
}
