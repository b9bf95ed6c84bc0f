/**
 * Regenerates functions/lib/convert/wasm/*.ts, the WebAssembly decoders of the ConvertImage step, from the installed
 * npm packages: `npx tsx scripts/embed-decoder-wasm.ts` after upgrading libheif-js, @jsquash/webp or @jsquash/avif.
 * Each .wasm is inlined (brotli, base64) because the packages read it from beside their own .js, which a single-file
 * Lambda bundle does not have; test/unit/convert/embedded-wasm.test.ts fails when a file no longer matches its package.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

export interface EmbeddedDecoder {
  /** Base name of the generated module under functions/lib/convert/wasm/. */
  module: string;
  packageName: string;
  /** The .wasm inside the package. */
  wasmPath: string;
  /** Licence lines for the generated file's header. */
  licence: string[];
}

export const EMBEDDED_DECODERS: EmbeddedDecoder[] = [
  {
    module: 'libheif-wasm',
    packageName: 'libheif-js',
    wasmPath: 'libheif-wasm/libheif.wasm',
    licence: [
      'libheif and libde265 are LGPL-3.0 (Dirk Farin, struktur AG); libheif-js (Kiril Vatev) is LGPL-3.0 too.',
      'The LGPL lets users swap in their own build: replace the .wasm in node_modules and rerun the generator.',
    ],
  },
  {
    module: 'webp-wasm',
    packageName: '@jsquash/webp',
    wasmPath: 'codec/dec/webp_dec.wasm',
    licence: ['@jsquash/webp (Jamie Sinclair, from Squoosh) is Apache-2.0; libwebp inside is BSD-3-Clause (Google).'],
  },
  {
    module: 'avif-wasm',
    packageName: '@jsquash/avif',
    wasmPath: 'codec/dec/avif_dec.wasm',
    licence: [
      '@jsquash/avif (Jamie Sinclair, from Squoosh) is Apache-2.0; libavif and libaom inside are BSD-2-Clause.',
    ],
  },
];

export const WASM_DIR = join(__dirname, '../functions/lib/convert/wasm');

export function packageVersion(packageName: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${packageName}/package.json`), 'utf8')) as { version: string })
    .version;
}

export function wasmBytes(decoder: EmbeddedDecoder): Buffer {
  return readFileSync(require.resolve(`${decoder.packageName}/${decoder.wasmPath}`));
}

function generate(decoder: EmbeddedDecoder): string {
  const bytes = wasmBytes(decoder);
  const compressed = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  const lines = compressed.toString('base64').match(/.{1,120}/g) ?? [];
  return `// GENERATED from ${decoder.packageName} ${packageVersion(decoder.packageName)} (${decoder.wasmPath}, brotli, base64) by scripts/embed-decoder-wasm.ts: do not edit.
${decoder.licence.map((line) => `// ${line}`).join('\n')}

export const WASM_PACKAGE = '${decoder.packageName}@${packageVersion(decoder.packageName)}';

export const WASM_BYTES = ${bytes.length};

export const WASM_BROTLI_BASE64 = \`
${lines.join('\n')}
\`;
`;
}

if (require.main === module) {
  for (const decoder of EMBEDDED_DECODERS) {
    const source = generate(decoder);
    const target = join(WASM_DIR, `${decoder.module}.ts`);
    writeFileSync(target, source);
    console.log(`wrote ${target} (${source.length} bytes) from ${decoder.packageName}`);
  }
}
