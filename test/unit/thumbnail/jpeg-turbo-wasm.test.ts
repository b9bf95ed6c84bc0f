import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { JPEG_TURBO_WASM_GZIP_BASE64, JPEG_TURBO_WASM_VERSION } from '../../../functions/lib/thumbnail/jpeg-turbo-wasm';

describe('inlined libjpeg-turbo WASM', () => {
  it('is the one the installed @cwasm/jpeg-turbo ships (else run `npx tsx scripts/embed-jpeg-turbo-wasm.ts`)', () => {
    const installed = readFileSync(require.resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm'));
    const { version } = JSON.parse(readFileSync(require.resolve('@cwasm/jpeg-turbo/package.json'), 'utf8')) as {
      version: string;
    };
    expect(JPEG_TURBO_WASM_VERSION).to.equal(version);
    expect(gunzipSync(Buffer.from(JPEG_TURBO_WASM_GZIP_BASE64, 'base64')).equals(installed)).to.equal(true);
  });
});
