import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMockConfig } from '../../../local/stepfunctions/mock-config';
import { MOCK_CONFIG_PATH } from './expectations';
import { inProcessTarget } from './in-process-target';
import { sfnApiTarget, type SfnTarget } from './targets';

/**
 * Picks where the suite runs:
 * - SFN_LOCAL_ENDPOINT set: that Step Functions API (Step Functions Local in Docker or Java, LocalStack), which must
 *   have been started with SFN_MOCK_CONFIG pointing at statemachine/test/MockConfigFile.json;
 * - otherwise the project's local stack, started in this process with SFN_MOCK_CONFIG set;
 * - and, while the local stack has no Step Functions API to offer, the in-process runner.
 */
export async function resolveTarget(env: NodeJS.ProcessEnv = process.env): Promise<SfnTarget> {
  const endpoint = env.SFN_LOCAL_ENDPOINT?.trim();
  if (endpoint) return sfnApiTarget({ endpoint, description: `Step Functions API at ${endpoint} (SFN_LOCAL_ENDPOINT)` });
  return (await localStackTarget()) ?? inProcessTarget({ mockConfig: loadMockConfig(MOCK_CONFIG_PATH) });
}

/** The contract expected from local/stack.ts: start on a port, answer the Step Functions API at `endpoint`. */
interface LocalStackModule {
  startLocalStack(options: { port: number; dataDir: string; env: Record<string, string> }): Promise<{
    endpoint?: string;
    url?: string;
    port?: number;
    stop?: () => Promise<void>;
    close?: () => Promise<void>;
  }>;
}

export async function localStackTarget(): Promise<SfnTarget | undefined> {
  // A computed specifier: the module is optional until the local stack lands, and tsc must not require it.
  const specifier = path.join(__dirname, '../../../local/stack');
  let module: Partial<LocalStackModule>;
  try {
    module = (await import(specifier)) as Partial<LocalStackModule>;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' || (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  if (typeof module.startLocalStack !== 'function') return undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sfn-local-suite-'));
  const stack = await module.startLocalStack({ port: 0, dataDir, env: { SFN_MOCK_CONFIG: MOCK_CONFIG_PATH } });
  const endpoint = stack.endpoint ?? stack.url ?? (stack.port ? `http://127.0.0.1:${stack.port}` : undefined);
  if (!endpoint) throw new Error('startLocalStack answered no endpoint');
  return sfnApiTarget({
    endpoint,
    description: `local stack at ${endpoint}`,
    onClose: async () => {
      await (stack.stop ?? stack.close)?.call(stack);
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
