import { expect } from 'chai';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers';

type MetadataModule = typeof import('../../../functions/lib/metadata');

/**
 * ExifReader parses XMP with @xmldom/xmldom, which it loads by an optional require: a Lambda bundle that leaves it
 * out still runs, and silently loses every camera fact that only XMP holds.
 */
describe('the Lambda bundle of the metadata core still reads XMP', function () {
  this.timeout(60_000);
  let outDir = '';

  before(() => {
    outDir = mkdtempSync(join(tmpdir(), 'metadata-bundle-'));
  });

  after(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('finds the XMP-only camera of the chelsea cat PNG when built as template.yaml builds the functions', async () => {
    const outfile = join(outDir, 'index.js');
    // template.yaml: BuildMethod esbuild, Format cjs, Minify, Target node22, Sourcemap; SAM builds for platform node.
    await build({
      entryPoints: [join(__dirname, '../../../functions/lib/metadata/index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      logLevel: 'silent',
    });
    // Outside the project nothing resolves from node_modules, as in the Lambda: only what was bundled can load.
    expect(() => createRequire(outfile).resolve('@xmldom/xmldom')).to.throw();
    const bundled = createRequire(__filename)(outfile) as MetadataModule;
    expect(bundled.parseImageMetadata(fixture('skimage_chelsea-cat.png')).exif).to.include({
      make: 'PENTAX Corporation',
      model: 'PENTAX K100D Super',
    });
  });
});
