import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { ApiError } from '../api/errors';
import type { Photo } from '../api/types';
import { useServices } from '../app-context';
import { appendPage, isTerminal, mergeFirstPage, needsPolling } from '../photo-list';
import { startPolling, type Poller, type PollOutcome, type PollState } from '../poll';

const PAGE_SIZE = 24;
/** Processing photos beyond the first page are asked for one by one, at most this many per poll. */
const MAX_SINGLE_REFRESH = 10;

/**
 * An album's photos (or all the caller's), newest first, with `next` paging; while a photo is processing or an
 * upload has not been recorded yet, the first page is read again with backoff, and polling stops when every photo
 * is terminal.
 */
export function usePhotoList(albumId: string | undefined) {
  const { api, deletedPhotos } = useServices();
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [pollState, setPollState] = useState<PollState>('done');
  const current = useRef<Photo[]>([]);
  const pending = useRef(new Set<string>());
  const poller = useRef<Poller | undefined>(undefined);
  const refresh = useRef<() => Promise<PollOutcome>>(async () => ({ changed: false, done: true }));

  const show = useCallback((list: Photo[]) => {
    current.current = list;
    setPhotos(list);
  }, []);

  useEffect(() => {
    let live = true;
    current.current = [];
    pending.current = new Set();
    let first = true;
    refresh.current = async () => {
      const page = await api.listPhotos({ ...(albumId === undefined ? {} : { albumId }), limit: PAGE_SIZE });
      if (!live) return { changed: false, done: true };
      setLoading(false);
      if (!page.ok) {
        setError(page.error);
        return { changed: false, done: page.error.kind === 'api' && page.error.name === 'Unauthorized' };
      }
      setError(undefined);
      if (first) setNext(page.value.next);
      first = false;
      const merged = mergeFirstPage(current.current, page.value);
      for (const photo of page.value.photos) pending.current.delete(photo.imageId);
      const onFirstPage = new Set(page.value.photos.map((photo) => photo.imageId));
      const singles = await refreshBeyondFirstPage(api, merged.photos, onFirstPage);
      if (!live) return { changed: false, done: true };
      show(singles.photos);
      return { changed: merged.changed || singles.changed, done: !needsPolling(singles.photos, pending.current) };
    };
    void refresh.current().then((outcome) => {
      if (live && !outcome.done && !first && !poller.current)
        poller.current = startPolling(() => refresh.current(), setPollState);
    });
    return () => {
      live = false;
      poller.current?.stop();
      poller.current = undefined;
    };
  }, [api, albumId, show]);

  /** An upload reached storage: its photo will appear; poll for it. */
  const expect = useCallback((imageId: string) => {
    pending.current.add(imageId);
    if (poller.current) poller.current.kick();
    else poller.current = startPolling(() => refresh.current(), setPollState);
  }, []);

  const loadMore = useCallback(async () => {
    if (next === undefined) return;
    const page = await api.listPhotos({ ...(albumId === undefined ? {} : { albumId }), limit: PAGE_SIZE, next });
    if (!page.ok) return setError(page.error);
    show(appendPage(current.current, page.value));
    setNext(page.value.next);
    if (needsPolling(current.current, pending.current)) poller.current?.kick();
  }, [api, albumId, next, show]);

  const visible = photos.filter((photo) => !deletedPhotos.has(photo.imageId));
  return { photos: visible, next, error, loading, pollState, expect, loadMore };
}

/** Processing photos that are not on the first page (loaded through `next`) are asked for one by one. */
async function refreshBeyondFirstPage(api: ApiClient, list: Photo[], onFirstPage: Set<string>) {
  const stale = list
    .filter((photo) => !isTerminal(photo.status) && !onFirstPage.has(photo.imageId))
    .slice(0, MAX_SINGLE_REFRESH);
  if (stale.length === 0) return { photos: list, changed: false };
  const answers = await Promise.all(stale.map((photo) => api.getPhoto(photo.imageId)));
  const fresh = new Map(answers.flatMap((answer) => (answer.ok ? [[answer.value.imageId, answer.value]] : [])));
  const changed = stale.some((photo) => fresh.get(photo.imageId)?.status !== photo.status);
  return { photos: list.map((photo) => fresh.get(photo.imageId) ?? photo), changed };
}
