import { useId, useRef, useState, type DragEvent } from 'react';
import { describeApiError } from '../api/errors';
import { useServices } from '../app-context';
import { postFile } from '../upload/post-upload';
import { refusalOf } from '../upload/upload-rules';

interface UploadRow {
  id: number;
  name: string;
  progress: number;
  state: 'waiting' | 'sending' | 'sent' | 'refused';
  message?: string;
}

/** Files sent at once; the rest wait their turn. */
const PARALLEL_UPLOADS = 3;

/**
 * Drag-and-drop or file-picker upload of many files, each through its own presigned POST, with a progress bar per
 * file. Non-images and oversize files are refused before anything is sent. `onSent` gets each stored photo's id.
 */
export function UploadPanel({ albumId, onSent }: { albumId?: string; onSent(imageId: string): void }) {
  const { api, config } = useServices();
  const [rows, setRows] = useState<UploadRow[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextId = useRef(0);
  const inputId = useId();
  const update = (id: number, change: Partial<UploadRow>) =>
    setRows((current) => current.map((row) => (row.id === id ? { ...row, ...change } : row)));

  async function send(file: File, id: number): Promise<void> {
    const refusal = refusalOf(file, config.uploadMaxBytes);
    if (refusal) return update(id, { state: 'refused', message: refusal });
    const request = { fileName: file.name, contentType: file.type, size: file.size };
    const upload = await api.createUpload(albumId === undefined ? request : { ...request, albumId });
    if (!upload.ok) return update(id, { state: 'refused', message: describeApiError(upload.error) });
    const tooBig = refusalOf(file, upload.value.maxBytes);
    if (tooBig) return update(id, { state: 'refused', message: tooBig });
    update(id, { state: 'sending' });
    const outcome = await postFile(upload.value, file, (progress) => update(id, { progress }));
    if (!outcome.ok) return update(id, { state: 'refused', message: outcome.reason });
    update(id, { state: 'sent', progress: 1, message: 'Sent' });
    onSent(upload.value.imageId);
  }

  function addFiles(files: File[]) {
    const queued = files.map((file) => ({ file, id: nextId.current++ }));
    setRows((current) => [
      ...queued.map(({ file, id }) => ({ id, name: file.name, progress: 0, state: 'waiting' as const })),
      ...current,
    ]);
    const queue = [...queued];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await send(item.file, item.id);
    };
    for (let i = 0; i < Math.min(PARALLEL_UPLOADS, queue.length); i += 1) void worker();
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    addFiles([...event.dataTransfer.files]);
  }

  return (
    <section className="upload" aria-labelledby={`${inputId}-heading`}>
      <h2 id={`${inputId}-heading`}>Upload photos</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop photos here, or</p>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept="image/*"
          onChange={(event) => {
            addFiles([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        <label htmlFor={inputId}>Choose photos</label>
      </div>
      <ul className="upload-rows" aria-live="polite">
        {rows.map((row) => (
          <UploadRowView key={row.id} row={row} />
        ))}
      </ul>
    </section>
  );
}

function UploadRowView({ row }: { row: UploadRow }) {
  const percent = Math.round(row.progress * 100);
  return (
    <li className={`upload-row upload-${row.state}`}>
      <span className="upload-name">{row.name}</span>
      {row.state === 'refused' ? null : (
        <progress max={100} value={percent} aria-label={`Upload of ${row.name}`}>
          {percent}%
        </progress>
      )}
      <span className="upload-message">
        {row.state === 'waiting' ? 'Waiting' : row.state === 'sending' ? `${percent}%` : row.message}
      </span>
    </li>
  );
}
