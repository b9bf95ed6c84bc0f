/**
 * Regenerates functions/lib/thumbnail/jpeg-turbo-wasm.ts from the installed @cwasm/jpeg-turbo.
 * Run after upgrading that package: `npx tsx scripts/embed-jpeg-turbo-wasm.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const wasmPath = require.resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm');
const { version } = JSON.parse(readFileSync(require.resolve('@cwasm/jpeg-turbo/package.json'), 'utf8')) as {
  version: string;
};
const base64Lines =
  gzipSync(readFileSync(wasmPath), { level: 9 })
    .toString('base64')
    .match(/.{1,120}/g) ?? [];

const source = `// GENERATED from @cwasm/jpeg-turbo ${version} (jpeg-turbo.wasm, gzip, base64) by \`npx tsx scripts/embed-jpeg-turbo-wasm.ts\`: do not edit.
// test/unit/thumbnail/jpeg-turbo-wasm.test.ts fails when it no longer matches the installed package.
// @cwasm/jpeg-turbo is MIT (Linus Unnebäck); the libjpeg-turbo code inside is under the IJG licence and BSD-3-Clause:
// "This software is based in part on the work of the Independent JPEG Group."
// Inlined because the package reads the file next to its own index.js, which a single-file Lambda bundle does not have.

export const JPEG_TURBO_WASM_VERSION = '${version}';

export const JPEG_TURBO_WASM_GZIP_BASE64 = \`
${base64Lines.join('\n')}
\`;
`;

const target = join(__dirname, '../functions/lib/thumbnail/jpeg-turbo-wasm.ts');
writeFileSync(target, source);
console.log(`wrote ${target} (${source.length} bytes) from @cwasm/jpeg-turbo ${version}`);
