import { useState } from 'react';
import type { ApiError } from '../api/errors';
import type { Photo } from '../api/types';
import { useServices } from '../app-context';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorMessage } from '../components/error-message';
import { ExecutionTimeline } from '../components/execution-timeline';
import { FaceBoxes, FacesSection } from '../components/faces';
import { LabelsList } from '../components/labels-list';
import { MetadataTable } from '../components/metadata-table';
import { ModeratedImage } from '../components/moderated-image';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { usePhoto, type PhotoView } from '../hooks/use-photo';
import { hrefOf } from '../route';

/** One photo: the image, what the workflow found, how the execution went, and delete. */
export function PhotoPage({ imageId }: { imageId: string }) {
  const view = usePhoto(imageId);
  const [deleted, setDeleted] = useState(false);
  const photo = view.photo;
  const back = hrefOf({ page: 'photos', ...(photo?.albumId === undefined ? {} : { albumId: photo.albumId }) });
  if (!photo) {
    return (
      <>
        <PageHeading>Photo</PageHeading>
        {view.error ? <ErrorMessage error={view.error} /> : <p role="status">Loading the photo…</p>}
      </>
    );
  }
  if (deleted) {
    return (
      <>
        <PageHeading>{photo.fileName} is being deleted</PageHeading>
        <p>The original is gone; its thumbnail and record follow in a moment.</p>
        <p>
          <a href={back}>Back to {photo.albumId === undefined ? 'all photos' : 'the album'}</a>
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumbs">
        <a href={hrefOf({ page: 'albums' })}>Albums</a> ›{' '}
        <a href={back}>{photo.albumId === undefined ? 'All photos' : 'Album'}</a>
      </p>
      <PageHeading>{photo.fileName}</PageHeading>
      <p>
        <StatusBadge status={photo.status} />
        {photo.error ? <span className="photo-error"> {photo.error.message}</span> : null}
      </p>
      {view.error ? <ErrorMessage error={view.error} /> : null}
      <div className="photo-layout">
        <PhotoImages photo={photo} />
        <div className="photo-facts">
          <MetadataTable photo={photo} />
          <Findings photo={photo} />
        </div>
      </div>
      <ExecutionSection view={view} />
      <DeletePhoto photo={photo} onDeleted={() => setDeleted(true)} />
    </>
  );
}

const BROWSER_FORMATS = new Set(['JPEG', 'PNG', 'GIF', 'WEBP']);

/** The original (when a browser can show its format) with the face boxes over it, and the thumbnail. */
function PhotoImages({ photo }: { photo: Photo }) {
  const [originalFailed, setOriginalFailed] = useState(false);
  const [revealed, setRevealed] = useState(false);
  const reveal = { revealed, onReveal: () => setRevealed(true) };
  const showOriginal = photo.originalUrl && !originalFailed && BROWSER_FORMATS.has(String(photo.format ?? ''));
  const main = showOriginal ? photo.originalUrl : photo.thumbnailUrl;
  const details = photo.faces?.details ?? [];
  return (
    <div className="photo-images">
      {main ? (
        <figure>
          <ModeratedImage
            src={main}
            alt={photo.fileName}
            className="photo-main"
            {...(photo.moderation ? { moderation: photo.moderation } : {})}
            overlay={details.length > 0 ? <FaceBoxes details={details} /> : null}
            reveal={reveal}
            onError={() => setOriginalFailed(true)}
          />
          <figcaption>
            {showOriginal ? 'The original' : 'The thumbnail (this browser cannot show the original’s format)'}
            {photo.originalUrl ? (
              <>
                {' · '}
                <a href={photo.originalUrl} target="_blank" rel="noopener noreferrer">
                  Open the original<span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              </>
            ) : null}
          </figcaption>
        </figure>
      ) : (
        <p>No image to show yet.</p>
      )}
      {photo.thumbnailUrl && photo.thumbnail ? (
        <figure className="thumbnail-figure">
          <ModeratedImage
            src={photo.thumbnailUrl}
            alt={`Thumbnail of ${photo.fileName}`}
            {...(photo.moderation ? { moderation: photo.moderation } : {})}
            reveal={reveal}
          />
          <figcaption>
            Thumbnail, {photo.thumbnail.width} × {photo.thumbnail.height} {photo.thumbnail.format}
          </figcaption>
        </figure>
      ) : null}
    </div>
  );
}

/** Labels, faces, moderation, and the errors of the steps that could not tell. */
function Findings({ photo }: { photo: Photo }) {
  return (
    <>
      <section aria-labelledby="labels-heading">
        <h2 id="labels-heading">Labels</h2>
        {photo.labels ? <LabelsList labels={photo.labels} /> : null}
        {photo.labelsError ? <p className="photo-error">Labels: {photo.labelsError.message}</p> : null}
        {!photo.labels && !photo.labelsError ? <p>None yet.</p> : null}
      </section>
      {photo.faces ? <FacesSection faces={photo.faces} /> : null}
      {photo.facesError ? <p className="photo-error">Faces: {photo.facesError.message}</p> : null}
      {photo.moderation ? (
        <section aria-labelledby="moderation-heading">
          <h2 id="moderation-heading">Moderation</h2>
          <p>{photo.moderation.flagged ? 'Flagged as unsafe content.' : 'Nothing flagged.'}</p>
          {photo.moderation.labels.length > 0 ? (
            <ul>
              {photo.moderation.labels.map((label) => (
                <li key={label.name}>
                  {label.parentName ? `${label.parentName} › ` : ''}
                  {label.name}: {label.confidence.toFixed(1)}%
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {photo.moderationError ? <p className="photo-error">Moderation: {photo.moderationError.message}</p> : null}
    </>
  );
}

function ExecutionSection({ view }: { view: PhotoView }) {
  const { config } = useServices();
  // The API adds the console page on AWS only; config.json says whether to show it.
  const consoleUrl = config.executionConsole ? view.photo?.executionConsoleUrl : undefined;
  return (
    <section aria-labelledby="execution-heading">
      <h2 id="execution-heading">Processing</h2>
      {view.execution ? <ExecutionTimeline execution={view.execution} nowMs={view.readAt} /> : null}
      {view.execution === null ? <p>The workflow has not started for this photo yet.</p> : null}
      {view.executionError ? <ErrorMessage error={view.executionError} /> : null}
      {consoleUrl ? (
        <p>
          <a href={consoleUrl} target="_blank" rel="noopener noreferrer">
            Open the execution in the Step Functions console
            <span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      ) : null}
    </section>
  );
}

function DeletePhoto({ photo, onDeleted }: { photo: Photo; onDeleted(): void }) {
  const { api, deletedPhotos } = useServices();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError>();
  async function remove() {
    setConfirming(false);
    const answer = await api.deletePhoto(photo.imageId);
    if (!answer.ok) return setError(answer.error);
    deletedPhotos.add(photo.imageId);
    onDeleted();
  }
  return (
    <section aria-labelledby="delete-heading" className="delete-photo">
      <h2 id="delete-heading" className="visually-hidden">
        Delete
      </h2>
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Delete photo
      </button>
      {error ? <ErrorMessage error={error} /> : null}
      <ConfirmDialog
        open={confirming}
        title={`Delete ${photo.fileName}?`}
        confirmLabel="Delete photo"
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>The original, its thumbnail and its record are deleted. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
