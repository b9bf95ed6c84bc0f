import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { functionSpecs, loadTemplate, PROJECT_ROOT, type FunctionSpec } from '../local/template';

/**
 * Bundles every esbuild function of template.yaml the way `sam build` does, so what the tests invoke is what
 * SAM would deploy. The esbuild command line is derived from Metadata.BuildProperties with the rules of
 * aws-lambda-builders' nodejs_npm_esbuild workflow (1.67.0, the version SAM CLI 1.170.0 ships):
 * - SAM CLI turns each PascalCase key into snake_case (EntryPoints -> entry_points, OutExtension ->
 *   out_extension) and adds `Sourcemap: true` when the function's NODE_OPTIONS has --enable-source-maps;
 * - entry points come first, then --bundle --platform=node --outdir=<artifacts>, plus --target=es2020,
 *   --format=cjs and --minify for whichever of target/format/minify the properties leave out;
 * - every other key becomes a flag by the type of its value: true -> --key (false -> nothing),
 *   a string -> --key=value, a list -> --key:item for each item; bundle/platform/outdir and
 *   entry_points/use_npm_ci are never passed through;
 * - External containing "./node_modules/*" marks every package.json dependency external instead.
 * The esbuild binary is the project's own (node_modules/.bin), run in the function's CodeUri, as SAM runs it.
 */

export const DEFAULT_OUT_DIR = path.join(PROJECT_ROOT, 'dist');
/** Lambda has no hard limit this small; one minified MB keeps cold starts short and shows a stray import. */
export const BUNDLE_BUDGET_BYTES = 1024 * 1024;
/**
 * ConvertImage alone carries WebAssembly decoders (libheif with libde265, libavif with libaom, libwebp), inlined as
 * brotli and base64: about 870 KB on top of what every function holds. Its own budget keeps the others at 1 MB.
 */
export const BUNDLE_BUDGETS_BYTES: Record<string, number> = { ConvertImage: 2 * 1024 * 1024 };
export const bundleBudgetBytes = (logicalId: string): number => BUNDLE_BUDGETS_BYTES[logicalId] ?? BUNDLE_BUDGET_BYTES;

export interface BuildOptions {
  /** Logical ids to build; all esbuild functions when absent. */
  only?: string[];
  /** Where <LogicalId>/<entry>.js goes; dist/ when absent. */
  outDir?: string;
  /** Functions to bundle besides the template's (a branch's new function before template.yaml has it). */
  extra?: FunctionSpec[];
}

export interface BundleFile {
  file: string;
  bytes: number;
}

export interface FunctionBuild {
  logicalId: string;
  handler: string;
  /** Absolute path of the bundle Lambda loads for the handler (<outDir>/<LogicalId>/<handler file>.js). */
  handlerFile: string;
  outDir: string;
  /** The esbuild arguments, exactly as aws-lambda-builders passes them. */
  args: string[];
  cwd: string;
  ok: boolean;
  /** esbuild's own error text when ok is false. */
  error?: string;
  files: BundleFile[];
  durationMs: number;
}

const NON_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
const IGNORED = new Set(['use_npm_ci', 'entry_points']);

/** SAM CLI's ResourceMetadataNormalizer.normalize_build_properties: "MainFields" -> "main_fields". */
export function snakeCase(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();
}

const kebab = (key: string) => key.replace(/_/g, '-');

/** The build properties SAM CLI hands to Lambda Builders for one function (snake_case keys). */
export function samBundlerConfig(fn: FunctionSpec): Record<string, unknown> {
  const props: Record<string, unknown> = { ...fn.buildProperties };
  const nodeOptions = fn.environment.NODE_OPTIONS;
  if (
    props.Sourcemap === undefined &&
    typeof nodeOptions === 'string' &&
    nodeOptions.split(/\s+/).includes('--enable-source-maps')
  ) {
    props.Sourcemap = true;
  }
  const config = Object.fromEntries(Object.entries(props).map(([key, value]) => [snakeCase(key), value]));
  if (!props.EntryPoints && fn.handler) config.entry_points = [fn.handler.split('.')[0]];
  return config;
}

/** The esbuild command line aws-lambda-builders' EsbuildBundleAction builds (without the binary). */
export function samEsbuildArgs(
  config: Record<string, unknown>,
  artifactsDir: string,
  cwd: string,
  dependencies: string[] = [],
): string[] {
  const args: string[] = [];
  const entryPoints = config.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error(`entry_points must be a non-empty list (${JSON.stringify(config)})`);
  }
  const external = Array.isArray(config.external) ? (config.external as unknown[]) : [];
  const allDepsExternal = external.includes('./node_modules/*');
  const effective = { ...config };
  if (allDepsExternal) {
    args.push(...dependencies.map((dep) => `--external:${dep}`));
    delete effective.external;
  }
  for (const entry of entryPoints as string[]) args.push(explicitFileType(entry, cwd));
  args.push('--bundle', '--platform=node', `--outdir=${artifactsDir}`);
  if (!('target' in effective)) args.push('--target=es2020');
  if (!('format' in effective)) args.push('--format=cjs');
  if (!('minify' in effective)) args.push('--minify');
  for (const [key, value] of Object.entries(effective)) {
    if (NON_CONFIGURABLE.has(key) || IGNORED.has(key)) continue;
    if (typeof value === 'boolean') {
      if (value) args.push(`--${kebab(key)}`);
    } else if (typeof value === 'string') {
      args.push(`--${kebab(key)}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`--${kebab(key)}:${String(item)}`);
    } else {
      throw new Error(`Failed to determine the type of the configuration: ${key}=${JSON.stringify(value)}`);
    }
  }
  return args;
}

/** Like Lambda Builders: an entry point without a suffix gets .ts, else .js; a missing file is an error. */
function explicitFileType(entry: string, cwd: string): string {
  if (path.extname(entry)) {
    if (existsSync(path.join(cwd, entry))) return entry;
    throw new Error(`entry point ${path.join(cwd, entry)} does not exist`);
  }
  for (const ext of ['.ts', '.js']) if (existsSync(path.join(cwd, entry + ext))) return entry + ext;
  throw new Error(`entry point ${path.join(cwd, entry)} does not exist`);
}

export function esbuildFunctions(only?: string[]): FunctionSpec[] {
  const template = loadTemplate();
  const all = functionSpecs(template).filter(
    (fn) =>
      (template.Resources[fn.logicalId]?.Metadata as { BuildMethod?: string } | undefined)?.BuildMethod === 'esbuild',
  );
  if (!only) return all;
  const unknown = only.filter((id) => !all.some((fn) => fn.logicalId === id));
  if (unknown.length) throw new Error(`Not an esbuild function in template.yaml: ${unknown.join(', ')}`);
  return all.filter((fn) => only.includes(fn.logicalId));
}

const run = promisify(execFile);
const ESBUILD_BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'esbuild');

export async function buildFunctions(options: BuildOptions = {}): Promise<FunctionBuild[]> {
  const outRoot = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dependencies = Object.keys(manifest.dependencies ?? {});
  return Promise.all(
    [...esbuildFunctions(options.only), ...(options.extra ?? [])].map(async (fn): Promise<FunctionBuild> => {
      const started = Date.now();
      const cwd = path.resolve(PROJECT_ROOT, fn.codeUri);
      const outDir = path.join(outRoot, fn.logicalId);
      const handlerFile = path.join(outDir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      const base = { logicalId: fn.logicalId, handler: fn.handler, handlerFile, outDir, cwd };
      let args: string[] = [];
      try {
        args = samEsbuildArgs(samBundlerConfig(fn), outDir, cwd, dependencies);
        rmSync(outDir, { recursive: true, force: true });
        mkdirSync(outDir, { recursive: true });
        await run(ESBUILD_BIN, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const err = error as Error & { stderr?: string };
        return {
          ...base,
          args,
          ok: false,
          error: (err.stderr || err.message).trim(),
          files: [],
          durationMs: Date.now() - started,
        };
      }
      const files = readdirSync(outDir)
        .sort()
        .map((name) => ({ file: path.join(outDir, name), bytes: statSync(path.join(outDir, name)).size }));
      const ok = existsSync(handlerFile);
      return {
        ...base,
        args,
        ok,
        ...(ok
          ? {}
          : {
              error: `esbuild wrote ${files.map((f) => path.basename(f.file)).join(', ') || 'nothing'}, not ${path.basename(handlerFile)} (Handler ${fn.handler})`,
            }),
        files,
        durationMs: Date.now() - started,
      };
    }),
  );
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function report(builds: FunctionBuild[]): string {
  const lines: string[] = [];
  for (const build of builds) {
    if (!build.ok) {
      lines.push(`FAILED  ${build.logicalId}`);
      lines.push(...(build.error ?? '').split('\n').map((line) => `        ${line}`));
      continue;
    }
    const js = build.files.find((f) => f.file === build.handlerFile);
    const map = build.files.find((f) => f.file === `${build.handlerFile}.map`);
    const budget = bundleBudgetBytes(build.logicalId);
    const over = js && js.bytes > budget ? `  OVER the ${kb(budget)} budget` : '';
    lines.push(
      `ok      ${build.logicalId.padEnd(22)} ${path.relative(PROJECT_ROOT, build.handlerFile).padEnd(52)} ` +
        `${kb(js?.bytes ?? 0).padStart(10)}${map ? `  (+ map ${kb(map.bytes)})` : ''}  ${build.durationMs} ms${over}`,
    );
  }
  const failed = builds.filter((b) => !b.ok).length;
  lines.push(`${builds.length - failed} of ${builds.length} functions bundled${failed ? `, ${failed} failed` : ''}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const only = argv.filter((arg) => !arg.startsWith('--'));
  const outArg = argv.find((arg) => arg.startsWith('--out-dir='));
  const builds = await buildFunctions({
    ...(only.length ? { only } : {}),
    ...(outArg ? { outDir: outArg.slice('--out-dir='.length) } : {}),
  });
  console.log(report(builds));
  return builds.every((b) => b.ok) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
