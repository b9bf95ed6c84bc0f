import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FunctionSpec } from '../template';

/**
 * The esbuild command line `sam build` runs for a function, derived from its Metadata.BuildProperties with the rules
 * of aws-lambda-builders' nodejs_npm_esbuild workflow (1.67.0, the version SAM CLI 1.170.0 ships):
 * - SAM CLI turns each PascalCase key into snake_case (EntryPoints -> entry_points, OutExtension ->
 *   out_extension) and adds `Sourcemap: true` when the function's NODE_OPTIONS has --enable-source-maps;
 * - entry points come first, then --bundle --platform=node --outdir=<artifacts>, plus --target=es2020,
 *   --format=cjs and --minify for whichever of target/format/minify the properties leave out;
 * - every other key becomes a flag by the type of its value: true -> --key (false -> nothing),
 *   a string -> --key=value, a list -> --key:item for each item; bundle/platform/outdir and
 *   entry_points/use_npm_ci are never passed through;
 * - External containing "./node_modules/*" marks every package.json dependency external instead.
 */

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
