import type { IncomingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';

/**
 * aws-chunked is the framing SigV4 streaming uploads use (SDK v3 default checksums, AWS CLI >= 2.23): each chunk is
 * `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`, ending with a zero-size chunk and optional trailer headers.
 * s3rver stores it as is, so the gateway unwraps it on the way, as a stream: memory stays bounded whatever the size.
 */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const encoding = String(headers['content-encoding'] ?? '');
  return sha.startsWith('STREAMING-') || encoding.split(',').some((part) => part.trim() === 'aws-chunked');
}

export class MalformedChunkedBody extends Error {
  override readonly name = 'IncompleteBody';
}

const MAX_HEADER = 4096;

/** The framing's state machine: bytes in, payload out, an error for anything that is not aws-chunked. */
class ChunkDecoder {
  private header = '';
  private remaining = 0;
  private state: 'header' | 'data' | 'crlf' | 'trailer' = 'header';

  write(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < input.length && this.state !== 'trailer') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, input.length - offset);
        out.push(input.subarray(offset, offset + take));
        offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'crlf';
      } else if (this.state === 'crlf') {
        const byte = input[offset] as number;
        if (byte === 0x0d || byte === 0x0a) offset += 1;
        else this.state = 'header';
        if (byte === 0x0a) this.state = 'header';
      } else offset = this.readHeader(input, offset);
    }
    return out;
  }

  end(): void {
    if (this.state !== 'trailer') throw new MalformedChunkedBody('aws-chunked body ends inside a chunk');
  }

  private readHeader(input: Buffer, offset: number): number {
    const lineEnd = input.indexOf(0x0a, offset);
    const stop = lineEnd < 0 ? input.length : lineEnd;
    this.header += input.subarray(offset, stop).toString('latin1');
    if (this.header.length > MAX_HEADER) throw new MalformedChunkedBody('aws-chunked chunk header too long');
    if (lineEnd < 0) return input.length;
    const text = this.header.replace(/\r$/, '');
    const sizeText = text.split(';')[0] ?? '';
    const size = /^[0-9a-fA-F]{1,12}$/.test(sizeText) ? Number.parseInt(sizeText, 16) : Number.NaN;
    if (!Number.isSafeInteger(size))
      throw new MalformedChunkedBody(`Bad aws-chunked chunk header "${text.slice(0, 80)}"`);
    this.header = '';
    this.remaining = size;
    this.state = size === 0 ? 'trailer' : 'data';
    return lineEnd + 1;
  }
}

/** A stream that unwraps an aws-chunked body; it fails with MalformedChunkedBody on a broken frame. */
export function awsChunkedDecoder(): Transform {
  const decoder = new ChunkDecoder();
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        for (const part of decoder.write(chunk)) this.push(part);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        decoder.end();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

export function decodeChunks(framed: Buffer): Buffer {
  const decoder = new ChunkDecoder();
  const parts = decoder.write(framed);
  decoder.end();
  return Buffer.concat(parts);
}

/** The headers s3rver gets for a decoded body: no aws-chunked framing, sent chunked (the decoded size is not trusted). */
export function decodedHeaders(headers: Record<string, unknown>): void {
  delete headers['content-length'];
  delete headers['x-amz-decoded-content-length'];
  delete headers['x-amz-trailer'];
  headers['transfer-encoding'] = 'chunked';
  headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const encodings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part && part !== 'aws-chunked');
  if (encodings.length > 0) headers['content-encoding'] = encodings.join(',');
  else delete headers['content-encoding'];
}
