import { expect } from 'chai';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { awsChunkedDecoder, MalformedChunkedBody } from '../../../local/s3/aws-chunked';

const FRAMED = Buffer.from(
  `5;chunk-signature=${'a'.repeat(64)}\r\nhello\r\n6;chunk-signature=${'b'.repeat(64)}\r\n world\r\n` +
    `0;chunk-signature=${'c'.repeat(64)}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`,
);

/** Feeds the framing to the streaming decoder in pieces of `size` bytes. */
function decode(framed: Buffer, size: number): Promise<string> {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < framed.length; offset += size) pieces.push(framed.subarray(offset, offset + size));
  return text(Readable.from(pieces).pipe(awsChunkedDecoder()));
}

describe('aws-chunked bodies, decoded as they stream', () => {
  it('gives the payload back however the framing is split between reads', async () => {
    for (const size of [1, 2, 3, 7, 64, FRAMED.length])
      expect(await decode(FRAMED, size), `pieces of ${size}`).to.equal('hello world');
  });

  it('fails on a bad chunk header, a body that ends inside a chunk, and a header that never ends', async () => {
    for (const broken of ['zz\r\nabc', '10\r\nshort', `${'1'.repeat(5000)}`]) {
      const failure = await decode(Buffer.from(broken), 3).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, broken.slice(0, 20)).to.be.instanceOf(MalformedChunkedBody);
    }
  });
});
