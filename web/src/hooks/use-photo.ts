import { useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { Execution, Photo } from '../api/types';
import { useServices } from '../app-context';
import { isTerminal } from '../photo-list';
import { startPolling, type Poller, type PollState } from '../poll';

export interface PhotoView {
  photo?: Photo;
  error?: ApiError;
  /** undefined until known; null when the photo has no execution yet (404). */
  execution?: Execution | null;
  executionError?: ApiError;
  /** When the execution was read: the axis of a running execution ends there. */
  readAt: number;
  pollState: PollState;
}

/** One photo and its execution, read again with backoff until both are over. */
export function usePhoto(imageId: string): PhotoView {
  const { api } = useServices();
  const [view, setView] = useState<PhotoView>({ readAt: 0, pollState: 'polling' });
  useEffect(() => {
    let live = true;
    let last: Photo | undefined;
    const read = async () => {
      const [photo, execution] = await Promise.all([api.getPhoto(imageId), api.getExecution(imageId)]);
      if (!live) return { changed: false, done: true };
      const notYet = !execution.ok && execution.error.kind === 'api' && execution.error.name === 'NotFound';
      // Same state: keep the object whose presigned URLs the images already loaded.
      const kept = photo.ok && last && last.status === photo.value.status && last.updatedAt === photo.value.updatedAt;
      const changed = photo.ok && !kept;
      if (photo.ok && !kept) last = photo.value;
      setView((before) => ({
        ...before,
        ...(photo.ok ? { photo: last, error: undefined } : { error: photo.error }),
        ...(execution.ok ? { execution: execution.value, executionError: undefined } : {}),
        ...(notYet ? { execution: null, executionError: undefined } : {}),
        ...(!execution.ok && !notYet ? { executionError: execution.error } : {}),
        readAt: Date.now(),
      }));
      const over =
        (photo.ok && isTerminal(photo.value.status) && execution.ok && execution.value.status !== 'RUNNING') ||
        (!photo.ok && photo.error.kind === 'api') ||
        (photo.ok && isTerminal(photo.value.status) && notYet);
      return { changed: Boolean(changed), done: over };
    };
    let poller: Poller | undefined;
    const onState = (pollState: PollState) => live && setView((before) => ({ ...before, pollState }));
    void read().then((outcome) => {
      if (!live) return;
      if (outcome.done) onState('done');
      else poller = startPolling(read, onState);
    });
    return () => {
      live = false;
      poller?.stop();
    };
  }, [api, imageId]);
  return view;
}
