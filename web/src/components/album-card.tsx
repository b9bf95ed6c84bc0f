import { useState } from 'react';
import type { ApiError } from '../api/errors';
import type { Album } from '../api/types';
import { useServices } from '../app-context';
import { hrefOf } from '../route';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorMessage } from './error-message';

function countText(count: number): string {
  return count === 1 ? '1 photo' : `${count} photos`;
}

/** One album: its cover, name and count, a rename form and a delete that the API refuses while photos remain. */
export function AlbumCard(props: { album: Album; onRenamed(album: Album): void; onDeleted(albumId: string): void }) {
  const { album } = props;
  const { api } = useServices();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError>();

  async function remove() {
    setConfirming(false);
    const answer = await api.deleteAlbum(album.albumId);
    if (!answer.ok) return setError(answer.error);
    props.onDeleted(album.albumId);
  }

  return (
    <li className="album">
      <a className="album-cover" href={hrefOf({ page: 'photos', albumId: album.albumId })} tabIndex={-1} aria-hidden>
        {album.coverUrl ? <img src={album.coverUrl} alt="" /> : <span className="no-cover" />}
      </a>
      <div className="album-body">
        {renaming ? (
          <RenameForm
            album={album}
            onDone={(renamed) => {
              setRenaming(false);
              if (renamed) props.onRenamed(renamed);
            }}
          />
        ) : (
          <h2>
            <a href={hrefOf({ page: 'photos', albumId: album.albumId })}>{album.name}</a>
          </h2>
        )}
        <p className="count">{countText(album.photoCount)}</p>
        {renaming ? null : (
          <div className="actions">
            <button type="button" onClick={() => setRenaming(true)} aria-label={`Rename ${album.name}`}>
              Rename
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => setConfirming(true)}
              aria-label={`Delete ${album.name}`}
            >
              Delete
            </button>
          </div>
        )}
        {error ? <ErrorMessage error={error} /> : null}
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Delete the album ${album.name}?`}
        confirmLabel="Delete album"
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {album.photoCount > 0
            ? `It still holds ${countText(album.photoCount)}: an album is deleted only once it is empty.`
            : 'The album is empty; its name goes.'}
        </p>
      </ConfirmDialog>
    </li>
  );
}

function RenameForm({ album, onDone }: { album: Album; onDone(renamed?: Album): void }) {
  const { api } = useServices();
  const [name, setName] = useState(album.name);
  const [error, setError] = useState<ApiError>();
  async function save() {
    const answer = await api.renameAlbum(album.albumId, name.trim());
    if (!answer.ok) return setError(answer.error);
    onDone(answer.value);
  }
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label htmlFor={`rename-${album.albumId}`}>New name for {album.name}</label>
      <input
        id={`rename-${album.albumId}`}
        value={name}
        maxLength={100}
        required
        autoFocus
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone();
        }}
      />
      <button type="submit" disabled={name.trim() === ''}>
        Save
      </button>
      <button type="button" onClick={() => onDone()}>
        Cancel
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </form>
  );
}
