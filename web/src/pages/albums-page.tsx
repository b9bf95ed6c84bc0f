import { useCallback, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { Album } from '../api/types';
import { useServices } from '../app-context';
import { AlbumCard } from '../components/album-card';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { useApiResource } from '../hooks/use-api-resource';
import { hrefOf } from '../route';

/** The caller's albums, newest first, with their photo counts and covers; create, rename and delete. */
export function AlbumsPage() {
  const { api } = useServices();
  const load = useCallback(async () => {
    const answer = await api.listAlbums();
    return answer.ok ? { ok: true as const, value: answer.value.albums } : answer;
  }, [api]);
  const { state, reload, set } = useApiResource(load);
  const albums = state.status === 'ok' ? state.value : [];
  const replace = (album: Album) => set(albums.map((each) => (each.albumId === album.albumId ? album : each)));
  const remove = (albumId: string) => set(albums.filter((each) => each.albumId !== albumId));
  return (
    <>
      <PageHeading>Albums</PageHeading>
      <CreateAlbumForm onCreated={(album) => set([album, ...albums])} />
      <p>
        <a href={hrefOf({ page: 'photos' })}>All photos</a>
      </p>
      {state.status === 'loading' ? <p role="status">Loading albums…</p> : null}
      {state.status === 'error' ? <ErrorMessage error={state.error} retry={reload} /> : null}
      {state.status === 'ok' && albums.length === 0 ? <p>No albums yet: create one to upload photos into.</p> : null}
      <ul className="albums">
        {albums.map((album) => (
          <AlbumCard key={album.albumId} album={album} onRenamed={replace} onDeleted={remove} />
        ))}
      </ul>
    </>
  );
}

function CreateAlbumForm({ onCreated }: { onCreated(album: Album): void }) {
  const { api } = useServices();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  async function create() {
    setBusy(true);
    const answer = await api.createAlbum(name.trim());
    setBusy(false);
    if (!answer.ok) return setError(answer.error);
    setError(undefined);
    setName('');
    onCreated(answer.value);
  }
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
    >
      <label htmlFor="new-album">New album</label>
      <input
        id="new-album"
        value={name}
        maxLength={100}
        required
        onChange={(event) => setName(event.target.value)}
        autoComplete="off"
      />
      <button type="submit" disabled={busy || name.trim() === ''}>
        Create album
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </form>
  );
}
