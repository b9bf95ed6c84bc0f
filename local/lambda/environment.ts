import path from 'node:path';
import type { FunctionModel, StackIdentity } from '../stack-model';

/** What a sandbox of a function sees: its process.env, and the module it loads. */

/** The access key every function signs with (any key works locally; the faults run tells functions' requests by it). */
export const FUNCTION_ACCESS_KEY = 'local';

/** Only the function's template environment plus what Lambda sets, with AWS_ENDPOINT_URL pointing at the stack. */
export function environmentOf(
  fn: FunctionModel,
  identity: StackIdentity,
  extraEnvironment?: Record<string, string>,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    AWS_REGION: identity.region,
    AWS_DEFAULT_REGION: identity.region,
    AWS_ACCESS_KEY_ID: FUNCTION_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL: identity.endpoint,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    // What sam local sets: an emulator, no X-Ray daemon and no trace to join, so Powertools Tracer stays off.
    AWS_SAM_LOCAL: 'true',
    _HANDLER: fn.spec.handler,
    ...extraEnvironment,
    ...fn.environment,
  };
}

/** 'source': the handler's TypeScript (or JS) file; 'bundle': <bundleDir>/<LogicalId>/<handler file>.js. */
export function moduleFile(
  fn: FunctionModel,
  mode: 'source' | 'bundle',
  bundleDir?: string,
): { file: string; typescript: boolean } {
  if (mode === 'bundle') {
    const dir = bundleDir ?? path.join(process.cwd(), 'dist');
    return { file: path.join(dir, fn.logicalId, `${fn.handlerFile}.js`), typescript: false };
  }
  return { file: fn.sourceFile, typescript: /\.[cm]?ts$/.test(fn.sourceFile) };
}
