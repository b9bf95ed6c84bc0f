import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFunctions, type FunctionBuild } from '../../local/build/build-functions';

/**
 * Every esbuild function bundled once per mocha run (into a temp dir, never dist/), shared by the template
 * checks and the bundle tests: bundling all of them takes a few seconds.
 */
let builds: Promise<FunctionBuild[]> | undefined;

export const BUILD_TIMEOUT_MS = 180_000;

export function builtFunctions(): Promise<FunctionBuild[]> {
  if (!builds) {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'sam-bundles-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    builds = buildFunctions({ outDir });
  }
  return builds;
}

export async function builtFunction(logicalId: string): Promise<FunctionBuild> {
  const build = (await builtFunctions()).find((b) => b.logicalId === logicalId);
  if (!build) throw new Error(`${logicalId} is not an esbuild function in template.yaml (nor a pending one)`);
  if (!build.ok) throw new Error(`${logicalId} did not bundle:\n${build.error}`);
  return build;
}
