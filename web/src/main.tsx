import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createAuth } from './auth/auth';
import { loadWebConfig } from './config';
import './styles.css';

/** Loads config.json (next to index.html), finishes any sign-in redirect, then renders the app. */
async function main(root: HTMLElement): Promise<void> {
  const view = createRoot(root);
  try {
    const config = await loadWebConfig(new URL('config.json', document.baseURI).href);
    const auth = createAuth(config.auth);
    await auth.start();
    view.render(
      <StrictMode>
        <App auth={auth} config={config} />
      </StrictMode>,
    );
  } catch (error) {
    view.render(
      <main id="main">
        <h1>The app cannot start</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  }
}

void main(document.getElementById('root') as HTMLElement);
