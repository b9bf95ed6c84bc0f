import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { functionSpecs, loadTemplate, PROJECT_ROOT, type FunctionSpec } from '../template';
import { samBundlerConfig, samEsbuildArgs } from './sam-esbuild';

/**
 * Bundles esbuild functions of template.yaml the way `sam build` does (the command line of ./sam-esbuild.ts), so
 * what `npm run build`, `npm run invoke` and the tests run is what SAM would deploy. The esbuild binary is the
 * project's own (node_modules/.bin), run in the function's CodeUri, as SAM runs it.
 */

export const DEFAULT_OUT_DIR = path.join(PROJECT_ROOT, 'dist');

export interface BuildOptions {
  /** Logical ids to build; all esbuild functions when absent. */
  only?: string[];
  /** Where <LogicalId>/<entry>.js goes; dist/ when absent. */
  outDir?: string;
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
  return Promise.all(esbuildFunctions(options.only).map((fn) => buildFunction(fn, outRoot, dependencies)));
}

/** One function into <outRoot>/<LogicalId>/; a failed build is an answer (ok: false, esbuild's text), not a throw. */
export async function buildFunction(fn: FunctionSpec, outRoot: string, dependencies: string[]): Promise<FunctionBuild> {
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
}
