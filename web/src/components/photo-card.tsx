import type { Photo } from '../api/types';
import { hrefOf } from '../route';
import { ModeratedImage } from './moderated-image';
import { StatusBadge } from './status-badge';

/** A photo in the grid: thumbnail (blurred when flagged), name, status and, when it ended badly, why. */
export function PhotoCard({ photo }: { photo: Photo }) {
  const labels = (photo.labels ?? []).slice(0, 3).map((label) => label.name);
  return (
    <li className="photo-card">
      {photo.thumbnailUrl ? (
        <ModeratedImage
          src={photo.thumbnailUrl}
          alt={`Thumbnail of ${photo.fileName}`}
          className="thumb"
          {...(photo.moderation ? { moderation: photo.moderation } : {})}
        />
      ) : (
        <div className="thumb no-thumb" aria-hidden="true">
          {photo.status === 'PROCESSING' ? 'Processing…' : 'No thumbnail'}
        </div>
      )}
      <div className="photo-card-body">
        <a href={hrefOf({ page: 'photo', imageId: photo.imageId })} className="photo-name">
          {photo.fileName}
        </a>
        <StatusBadge status={photo.status} />
        {labels.length > 0 ? <p className="photo-labels">{labels.join(', ')}</p> : null}
        {photo.error ? <p className="photo-error">{photo.error.message}</p> : null}
      </div>
    </li>
  );
}
