import type { Photo, PhotoPage } from './api/types';

/** The album grid's list: newest first, refreshed by re-reading the first page while photos are processing. */
const TERMINAL = new Set(['SUCCEEDED', 'UNSUPPORTED', 'FAILED']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** Polling goes on while a photo is processing or an upload has not been recorded yet. */
export function needsPolling(photos: readonly Photo[], pending: ReadonlySet<string>): boolean {
  return pending.size > 0 || photos.some((photo) => !isTerminal(photo.status));
}

export function newestFirst(a: Photo, b: Photo): number {
  if (a.uploadedAt !== b.uploadedAt) return a.uploadedAt < b.uploadedAt ? 1 : -1;
  return a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0;
}

/** Same photo, same state: a re-read keeps the old object, so its image (and presigned URL) is not reloaded. */
function sameState(a: Photo, b: Photo): boolean {
  return a.status === b.status && a.updatedAt === b.updatedAt && a.uploadedAt === b.uploadedAt;
}

/**
 * Merges a fresh first page into the list. Photos of the range that page covers (as new or newer than its oldest
 * photo) that it no longer holds were deleted; older photos, loaded through `next`, are kept as they were.
 */
export function mergeFirstPage(current: readonly Photo[], fresh: PhotoPage): { photos: Photo[]; changed: boolean } {
  const byId = new Map(current.map((photo) => [photo.imageId, photo]));
  const freshIds = new Set(fresh.photos.map((photo) => photo.imageId));
  const oldestFresh = fresh.photos.reduce<string | undefined>(
    (oldest, photo) => (oldest === undefined || photo.uploadedAt < oldest ? photo.uploadedAt : oldest),
    undefined,
  );
  const complete = fresh.next === undefined;
  const kept = current.filter(
    (photo) => !freshIds.has(photo.imageId) && !complete && oldestFresh !== undefined && photo.uploadedAt < oldestFresh,
  );
  let changed = kept.length + freshIds.size !== current.length;
  const merged = fresh.photos.map((photo) => {
    const before = byId.get(photo.imageId);
    if (before && sameState(before, photo)) return before;
    changed = true;
    return photo;
  });
  return { photos: [...merged, ...kept].sort(newestFirst), changed };
}

/** Appends a further page (through `next`), skipping photos already listed. */
export function appendPage(current: readonly Photo[], page: PhotoPage): Photo[] {
  const ids = new Set(current.map((photo) => photo.imageId));
  return [...current, ...page.photos.filter((photo) => !ids.has(photo.imageId))];
}
