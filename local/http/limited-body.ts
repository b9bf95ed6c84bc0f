import type { IncomingMessage } from 'node:http';

/**
 * A request body up to `limit` bytes, or `undefined` when it is larger: the rest is read and dropped (up to a few
 * times the limit, then the connection is cut), so the client gets to read the 413 answer instead of a reset.
 */
export function readBodyWithin(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit * 4 + 1024 * 1024) {
        resolve(undefined);
        req.destroy();
      }
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
