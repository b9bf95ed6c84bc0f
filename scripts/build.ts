import path from 'node:path';
import { buildFunctions, type FunctionBuild } from '../local/build/build-functions';
import { PROJECT_ROOT } from '../local/template';

/**
 * npm run build [-- LogicalId... --out-dir=DIR]: bundles the esbuild functions of template.yaml into dist/ exactly
 * as `sam build` would (local/build/, shared with `npm run invoke`) and reports each bundle's size against a budget.
 */

/**
 * Lambda has no hard limit this small; 1.25 minified MB keeps cold starts short and shows a stray import. It was one
 * MB before X-Ray tracing (functions/lib/aws/tracer.ts), whose SDK adds 123 KB to every bundle (npm run build).
 */
export const BUNDLE_BUDGET_BYTES = 1280 * 1024;
/**
 * ConvertImage alone carries WebAssembly decoders (libheif with libde265, libavif with libaom, libwebp), inlined as
 * brotli and base64: about 870 KB on top of what every function holds. Its own budget keeps the others at 1 MB.
 */
export const BUNDLE_BUDGETS_BYTES: Record<string, number> = { ConvertImage: 2 * 1024 * 1024 };
export const bundleBudgetBytes = (logicalId: string): number => BUNDLE_BUDGETS_BYTES[logicalId] ?? BUNDLE_BUDGET_BYTES;

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
