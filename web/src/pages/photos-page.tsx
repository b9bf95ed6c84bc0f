import { useCallback } from 'react';
import { useServices } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { PhotoCard } from '../components/photo-card';
import { UploadPanel } from '../components/upload-panel';
import { useApiResource } from '../hooks/use-api-resource';
import { usePhotoList } from '../hooks/use-photo-list';
import { isTerminal } from '../photo-list';
import { hrefOf } from '../route';

/** An album (or all the caller's photos): upload, and a grid newest first whose status badges follow processing. */
export function PhotosPage({ albumId }: { albumId?: string }) {
  const list = usePhotoList(albumId);
  const processing = list.photos.filter((photo) => !isTerminal(photo.status)).length;
  return (
    <>
      <p className="breadcrumbs">
        <a href={hrefOf({ page: 'albums' })}>Albums</a>
      </p>
      {albumId === undefined ? <PageHeading>All photos</PageHeading> : <AlbumHeading albumId={albumId} />}
      <UploadPanel {...(albumId === undefined ? {} : { albumId })} onSent={list.expect} />
      <section aria-labelledby="photos-heading">
        <h2 id="photos-heading">Photos</h2>
        <p role="status" className="poll-status">
          {list.loading
            ? 'Loading photos…'
            : processing > 0
              ? `${processing} processing${list.pollState === 'gave-up' ? ': stopped checking, reload the page to check again' : ''}`
              : `${list.photos.length}${list.next ? '+' : ''} ${list.photos.length === 1 ? 'photo' : 'photos'}`}
        </p>
        {list.error ? <ErrorMessage error={list.error} /> : null}
        <ul className="photo-grid">
          {list.photos.map((photo) => (
            <PhotoCard key={photo.imageId} photo={photo} />
          ))}
        </ul>
        {list.next ? (
          <button type="button" onClick={() => void list.loadMore()}>
            Show more photos
          </button>
        ) : null}
      </section>
    </>
  );
}

/** The album's name for people (there is no single-album route: it comes from the list). */
function AlbumHeading({ albumId }: { albumId: string }) {
  const { api } = useServices();
  const load = useCallback(async () => {
    const answer = await api.listAlbums();
    return answer.ok ? { ok: true as const, value: answer.value.albums.find((a) => a.albumId === albumId) } : answer;
  }, [api, albumId]);
  const { state } = useApiResource(load);
  if (state.status === 'error') return <ErrorMessage error={state.error} />;
  const name = state.status === 'ok' ? (state.value?.name ?? albumId) : '';
  return <PageHeading>{name || 'Album'}</PageHeading>;
}
