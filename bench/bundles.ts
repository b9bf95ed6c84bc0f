/**
 * Lambda bundle benchmark: every function bundled exactly as `sam build` would (local/build/), its size, and how
 * long a fresh Node process takes to load it (the module-loading part of a cold start).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../local/build/build-functions';
import { median, round } from './metadata';

export interface BundleBenchResult {
  function: string;
  bytes: number;
  importMs: number;
}

const IMPORT_PROBE = `
const { performance } = require('node:perf_hooks');
const started = performance.now();
require(process.argv[1]);
process.stdout.write(String(performance.now() - started));
`;

export async function runBundleBench(imports = 3): Promise<BundleBenchResult[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'bundle-bench-'));
  const builds = await buildFunctions({ outDir });
  const failed = builds.filter((build) => !build.ok);
  if (failed.length) throw new Error(`Bundling failed: ${failed.map((b) => `${b.logicalId}: ${b.error}`).join('; ')}`);
  return builds.map((build) => {
    const bytes = build.files.find((file) => file.file === build.handlerFile)?.bytes ?? 0;
    const times = Array.from({ length: imports }, () =>
      Number(
        execFileSync(process.execPath, ['-e', IMPORT_PROBE, build.handlerFile], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '' },
        }),
      ),
    );
    return { function: build.logicalId, bytes, importMs: round(median(times)) };
  });
}
