import { expect } from 'chai';
import path from 'node:path';
import { functionSpecs, loadTemplate, PROJECT_ROOT, type FunctionSpec } from '../../local/template';
import { samBundlerConfig, samEsbuildArgs, snakeCase } from '../../local/build/sam-esbuild';

/**
 * The esbuild command line must be the one `sam build` runs. Expected values follow aws-lambda-builders 1.67.0
 * (nodejs_npm_esbuild/esbuild.py, EsbuildCommandBuilder) and SAM CLI 1.170.0 (normalize_build_properties,
 * EsbuildBundlerManager); `.ci/run` also compares against the real `sam build`.
 */

const OUT = '/out/Fn';

function spec(
  buildProperties: Record<string, unknown>,
  environment: Record<string, unknown> = {},
  handler = 'app.handler',
): FunctionSpec {
  return {
    logicalId: 'Fn',
    handler,
    runtime: 'nodejs22.x',
    codeUri: '.',
    timeoutSeconds: 3,
    memoryMb: 128,
    environment,
    entryPoints: [],
    buildProperties,
    events: {},
    properties: {},
  };
}

const argsFor = (props: Record<string, unknown>, env: Record<string, unknown> = {}, deps: string[] = []) =>
  samEsbuildArgs(
    samBundlerConfig(spec({ EntryPoints: ['functions/s3-trigger.ts'], ...props }, env)),
    OUT,
    PROJECT_ROOT,
    deps,
  );

describe('esbuild arguments as SAM CLI derives them', () => {
  it('turns PascalCase properties into snake_case like SAM CLI', () => {
    expect(['EntryPoints', 'MainFields', 'OutExtension', 'SourcesContent', 'Minify'].map(snakeCase)).to.deep.equal([
      'entry_points',
      'main_fields',
      'out_extension',
      'sources_content',
      'minify',
    ]);
  });

  it('gives what template.yaml asks for each function: entry, bundle, platform, outdir, then the properties in order', () => {
    for (const fn of functionSpecs(loadTemplate())) {
      const args = samEsbuildArgs(samBundlerConfig(fn), OUT, path.resolve(PROJECT_ROOT, fn.codeUri));
      expect(args, fn.logicalId).to.deep.equal([
        fn.entryPoints[0],
        '--bundle',
        '--platform=node',
        `--outdir=${OUT}`,
        '--format=cjs',
        '--minify',
        '--target=node22',
        '--sourcemap',
      ]);
    }
  });

  it('adds the defaults es2020, cjs and minify only for what the properties leave out', () => {
    expect(argsFor({})).to.deep.equal([
      'functions/s3-trigger.ts',
      '--bundle',
      '--platform=node',
      `--outdir=${OUT}`,
      '--target=es2020',
      '--format=cjs',
      '--minify',
    ]);
    expect(argsFor({ Minify: false, Target: 'node22', Format: 'esm' })).to.deep.equal([
      'functions/s3-trigger.ts',
      '--bundle',
      '--platform=node',
      `--outdir=${OUT}`,
      '--target=node22',
      '--format=esm',
    ]);
  });

  it('passes strings as --key=value and lists as one --key:item each', () => {
    const args = argsFor({
      MainFields: 'module,main',
      External: ['@aws-sdk/*', 'sharp'],
      Loader: ['.png=file', '.wasm=binary'],
      OutExtension: ['.js=.cjs'],
      Banner: ['js=/* banner */'],
      Footer: ['js=/* footer */'],
    });
    expect(args.slice(7)).to.deep.equal([
      '--main-fields=module,main',
      '--external:@aws-sdk/*',
      '--external:sharp',
      '--loader:.png=file',
      '--loader:.wasm=binary',
      '--out-extension:.js=.cjs',
      '--banner:js=/* banner */',
      '--footer:js=/* footer */',
    ]);
  });

  it('never passes bundle, platform, outdir or UseNpmCi through', () => {
    const args = argsFor({ Bundle: false, Platform: 'browser', Outdir: '/elsewhere', UseNpmCi: true });
    expect(args.filter((a) => /^--(bundle|platform|outdir|use-npm-ci)/.test(a))).to.deep.equal([
      '--bundle',
      '--platform=node',
      `--outdir=${OUT}`,
    ]);
  });

  it('adds Sourcemap when NODE_OPTIONS enables source maps and the properties say nothing', () => {
    expect(argsFor({}, { NODE_OPTIONS: '--max-old-space-size=512 --enable-source-maps' })).to.include('--sourcemap');
    expect(argsFor({ Sourcemap: false }, { NODE_OPTIONS: '--enable-source-maps' })).not.to.include('--sourcemap');
  });

  it('marks every package.json dependency external for External ./node_modules/*', () => {
    const args = argsFor({ External: ['./node_modules/*'] }, {}, ['@aws-sdk/client-s3', 'exifreader']);
    expect(args.slice(0, 2)).to.deep.equal(['--external:@aws-sdk/client-s3', '--external:exifreader']);
    expect(args.filter((a) => a.startsWith('--external:./'))).to.deep.equal([]);
  });

  it('takes the entry point from the Handler when EntryPoints is missing, adding .ts or .js', () => {
    const config = samBundlerConfig(spec({}, {}, 'functions/s3-trigger.handler'));
    expect(config.entry_points).to.deep.equal(['functions/s3-trigger']);
    expect(samEsbuildArgs(config, OUT, PROJECT_ROOT)[0]).to.equal('functions/s3-trigger.ts');
  });

  it('refuses a missing entry point and a value of another type, as Lambda Builders does', () => {
    expect(() => argsFor({ EntryPoints: ['functions/nope.ts'] })).to.throw(/does not exist/);
    expect(() => argsFor({ Define: { x: '1' } })).to.throw(/Failed to determine the type/);
  });
});
