import type { ImageStatus } from '../../../functions/lib/image-item';

const WORDS: Record<ImageStatus, string> = {
  PROCESSING: 'Processing',
  SUCCEEDED: 'Done',
  UNSUPPORTED: 'Unsupported',
  FAILED: 'Failed',
};

/** The photo's status in words (the colour only repeats them). */
export function StatusBadge({ status }: { status: ImageStatus }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{WORDS[status] ?? status}</span>;
}
