import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { build, type Metafile } from 'esbuild';
import { functionSpecs, loadTemplate, PROJECT_ROOT } from '../../local/template';

/**
 * package.json's dependencies are what SAM installs for `sam build`, so they must be exactly what the Lambda bundles
 * use: every package the deployed code imports (else `sam build` fails on AWS), and nothing else but esbuild itself,
 * which SAM's esbuild build method runs (else the dependency only slows the build and misleads the reader).
 */
describe('production dependencies are what the bundles use', function () {
  this.timeout(120_000);
  const BUILD_TOOLS = ['esbuild'];
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const production = Object.keys(manifest.dependencies);
  let imported: Set<string>;

  before(async () => {
    const template = loadTemplate();
    const functions = functionSpecs(template).filter(
      (fn) => (template.Resources[fn.logicalId]?.Metadata as { BuildMethod?: string })?.BuildMethod === 'esbuild',
    );
    const entryPoints = functions.flatMap((fn) =>
      fn.entryPoints.map((entry) => path.join(PROJECT_ROOT, fn.codeUri, path.extname(entry) ? entry : `${entry}.ts`)),
    );
    expect(entryPoints).to.have.length.of.at.least(1);
    const { metafile } = await build({
      entryPoints,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      outdir: path.join(PROJECT_ROOT, 'dist', '.dependencies'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    imported = packagesImportedByOwnCode(metafile);
  });

  it('every package the deployed code imports is a production dependency', () => {
    expect(imported, 'the metafile lists what the code imports').to.include('@aws-sdk/client-s3');
    expect([...imported].filter((name) => !production.includes(name))).to.deep.equal([]);
  });

  it('every production dependency but the build tool is imported by the deployed code', () => {
    expect(production.filter((name) => !imported.has(name) && !BUILD_TOOLS.includes(name))).to.deep.equal([]);
    expect(production).to.include.members(BUILD_TOOLS);
  });
});

/** Bare imports (packages, not node: built-ins) made by the project's own files in the bundles. */
function packagesImportedByOwnCode(metafile: Metafile): Set<string> {
  const names = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file.includes('node_modules/')) continue;
    for (const { original } of input.imports) {
      if (!original || original.startsWith('.') || original.startsWith('/') || original.startsWith('node:')) continue;
      if (builtinModules.includes(original.split('/')[0] ?? original)) continue;
      const parts = original.split('/');
      names.add(original.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? original));
    }
  }
  return names;
}
