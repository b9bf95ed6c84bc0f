import type { Context } from 'mocha';

/**
 * Skips a suite whose Debian tool (exiftool, the AWS CLI v2, Chromium) is missing on a laptop, naming the package to
 * install. Under CI the tool must be there: .ci/run installs every one, so a missing tool fails the suite instead of
 * passing it quietly (a pip AWS CLI v1 on PATH once hid a missing v2 that way).
 */
export function requireSystemTool(ctx: Context, found: boolean, tool: string, aptPackage: string): void {
  if (found) return;
  const message = `${tool} is not installed (apt-get install -y ${aptPackage})`;
  if (process.env.CI) throw new Error(`${message}; .ci/run installs it, so CI does not skip this suite`);
  console.log(`    skipped: ${message}`);
  ctx.skip();
}
