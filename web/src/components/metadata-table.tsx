import type { Photo } from '../api/types';
import { formatPosition, metadataRows, openStreetMapUrl } from '../format';

/** Format, dimensions, size, camera, lens, exposure, time taken; GPS with a link to the place on OpenStreetMap. */
export function MetadataTable({ photo }: { photo: Photo }) {
  const rows = metadataRows(photo);
  return (
    <table className="metadata">
      <caption>Metadata</caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
        {photo.gps ? (
          <tr>
            <th scope="row">Location</th>
            <td>
              {formatPosition(photo.gps)}{' '}
              <a href={openStreetMapUrl(photo.gps)} target="_blank" rel="noopener noreferrer">
                Show on OpenStreetMap<span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
