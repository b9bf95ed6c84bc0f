import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client';
import type { WebConfig } from './config';

/** What every page needs from the app: the API client, the configuration, and the photos deleted in this session. */
export interface AppServices {
  api: ApiClient;
  config: WebConfig;
  /** Photos whose delete was accepted: lists hide them while the delete cascade removes their items. */
  deletedPhotos: Set<string>;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useServices outside <AppContext.Provider>');
  return services;
}
