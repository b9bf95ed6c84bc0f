import { useCallback } from 'react';
import type { ApiError } from '../api/errors';
import { useServices } from '../app-context';
import { useApiResource } from './use-api-resource';

/**
 * An album's name for people, from the album list (the API has no single-album route): undefined while it loads or
 * when there is no album, the id when the list does not hold it, and the error when the list cannot be read.
 */
export function useAlbumName(albumId: string | undefined): { name?: string; error?: ApiError } {
  const { api } = useServices();
  const load = useCallback(async () => {
    if (albumId === undefined) return { ok: true as const, value: undefined };
    const answer = await api.listAlbums();
    return answer.ok ? { ok: true as const, value: answer.value.albums.find((a) => a.albumId === albumId) } : answer;
  }, [api, albumId]);
  const { state } = useApiResource(load);
  if (state.status === 'error') return { error: state.error };
  if (state.status === 'loading' || albumId === undefined) return {};
  return { name: state.value?.name ?? albumId };
}
