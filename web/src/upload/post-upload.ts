import type { Upload } from '../api/types';
import { s3RefusalOf } from './upload-rules';

export type PostOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Sends the file to S3 through the presigned POST of POST /uploads: every policy field first, the file last under
 * `file`. XMLHttpRequest, because fetch reports no upload progress.
 */
export function postFile(
  upload: Upload,
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve({ ok: true });
      } else resolve({ ok: false, reason: s3RefusalOf(request.status, request.responseText) });
    });
    request.addEventListener('error', () =>
      resolve({ ok: false, reason: 'The upload did not reach storage: check your connection and try again.' }),
    );
    request.addEventListener('abort', () => resolve({ ok: false, reason: 'The upload was cancelled.' }));
    signal?.addEventListener('abort', () => request.abort());
    request.send(form);
  });
}
