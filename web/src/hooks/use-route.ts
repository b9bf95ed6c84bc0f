import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from '../route';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const hash = () => window.location.hash;

/** The page the URL's fragment names; follows back/forward and links. */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, hash));
}
