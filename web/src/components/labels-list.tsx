import type { StoredLabel } from '../../../functions/lib/image-item';

/** Labels with their confidence as a bar (a <meter>: screen readers read the value) and in numbers. */
export function LabelsList({ labels }: { labels: StoredLabel[] }) {
  if (labels.length === 0) return <p>No labels above the confidence threshold.</p>;
  return (
    <ul className="labels">
      {labels.map((label) => (
        <li key={label.name}>
          <span className="label-name">{label.name}</span>
          <meter min={0} max={100} value={label.confidence} aria-label={`${label.name} confidence`}>
            {label.confidence.toFixed(1)}%
          </meter>
          <span className="label-value">{label.confidence.toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}
