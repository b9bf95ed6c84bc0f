import { expect } from 'chai';
import { brotliDecompressSync } from 'node:zlib';
import * as avif from '../../../functions/lib/convert/wasm/avif-wasm';
import * as heif from '../../../functions/lib/convert/wasm/libheif-wasm';
import * as webp from '../../../functions/lib/convert/wasm/webp-wasm';
import { EMBEDDED_DECODERS, packageVersion, wasmBytes } from '../../../scripts/embed-decoder-wasm';

const GENERATED: Record<string, { WASM_PACKAGE: string; WASM_BYTES: number; WASM_BROTLI_BASE64: string }> = {
  'libheif-wasm': heif,
  'webp-wasm': webp,
  'avif-wasm': avif,
};

describe('embedded decoder WebAssembly (functions/lib/convert/wasm/)', () => {
  for (const decoder of EMBEDDED_DECODERS) {
    it(`${decoder.module} is ${decoder.packageName}'s ${decoder.wasmPath}, byte for byte (else rerun the generator)`, () => {
      const generated = GENERATED[decoder.module]!;
      expect(generated.WASM_PACKAGE).to.equal(`${decoder.packageName}@${packageVersion(decoder.packageName)}`);
      const inlined = brotliDecompressSync(Buffer.from(generated.WASM_BROTLI_BASE64, 'base64'));
      expect(inlined.length).to.equal(generated.WASM_BYTES);
      expect(inlined.equals(wasmBytes(decoder))).to.equal(true);
    });
  }
});
