import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { readBody } from '../http/respond';

/**
 * aws-chunked is the framing SigV4 streaming uploads use (SDK v3 default checksums, AWS CLI >= 2.23): each chunk is
 * `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`, ending with a zero-size chunk and optional trailer headers.
 * s3rver stores it as is, so the gateway unwraps it first.
 */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const encoding = String(headers['content-encoding'] ?? '');
  return sha.startsWith('STREAMING-') || encoding.split(',').some((part) => part.trim() === 'aws-chunked');
}

export class MalformedChunkedBody extends Error {
  override readonly name = 'IncompleteBody';
}

export async function decodeAwsChunked(req: IncomingMessage, limitBytes = 1024 * 1024 * 1024): Promise<Buffer> {
  return decodeChunks(await readBody(req, limitBytes));
}

export function decodeChunks(framed: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = framed.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new MalformedChunkedBody('aws-chunked body ends inside a chunk header');
    const header = framed.subarray(offset, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0)
      throw new MalformedChunkedBody(`Bad aws-chunked chunk header "${header.slice(0, 80)}"`);
    const start = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (start + size > framed.length) throw new MalformedChunkedBody('aws-chunked body shorter than its chunk sizes');
    parts.push(framed.subarray(start, start + size));
    offset = start + size;
    if (framed.subarray(offset, offset + 2).toString('latin1') === '\r\n') offset += 2;
  }
}
