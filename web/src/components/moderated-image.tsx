import { useState, type ReactNode } from 'react';
import type { Moderation } from '../api/types';

/**
 * An image that moderation flagged stays blurred until the user chooses to see it; the button names why it was
 * flagged. `overlay` (face boxes) is drawn over the image only once it is visible.
 */
export function ModeratedImage(props: {
  src: string;
  alt: string;
  moderation?: Moderation;
  className?: string;
  overlay?: ReactNode;
  onError?(): void;
  /** Shared by several images of one photo: revealing one reveals all. */
  reveal?: { revealed: boolean; onReveal(): void };
}) {
  const flagged = props.moderation?.flagged === true;
  const [ownRevealed, setOwnRevealed] = useState(false);
  const revealed = props.reveal?.revealed ?? ownRevealed;
  const onReveal = props.reveal?.onReveal ?? (() => setOwnRevealed(true));
  const hidden = flagged && !revealed;
  const reasons = [...new Set((props.moderation?.labels ?? []).map((label) => label.parentName || label.name))];
  return (
    <div className={`moderated ${props.className ?? ''}`}>
      <img
        src={props.src}
        alt={hidden ? `${props.alt} (hidden: flagged by moderation)` : props.alt}
        className={hidden ? 'blurred' : undefined}
        onError={props.onError}
      />
      {hidden ? (
        <div className="reveal">
          <p>Flagged{reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}</p>
          <button type="button" onClick={onReveal}>
            Show photo
          </button>
        </div>
      ) : (
        props.overlay
      )}
    </div>
  );
}
