import { rmSync } from 'node:fs';
import { consoleLog, silentLog } from '../../../local/log';
import { startLocalStack } from '../../../local/stack';
import { loadMockConfig } from '../../../local/stepfunctions/mock-config';
import { MOCK_CONFIG_PATH } from './expectations';
import { inProcessTarget } from './in-process-target';
import { sfnApiTarget, type SfnTarget } from './targets';

/**
 * Picks where the suite runs:
 * - SFN_LOCAL_ENDPOINT set: that Step Functions API (Step Functions Local in Docker or Java, LocalStack), which must
 *   have been started with SFN_MOCK_CONFIG pointing at statemachine/test/MockConfigFile.json;
 * - SFN_SUITE_TARGET=in-process: aws-local-stepfunctions in this process, answering from the MockConfigFile;
 * - otherwise the project's local stack, started in this process with SFN_MOCK_CONFIG set.
 */
export async function resolveTarget(
  env: NodeJS.ProcessEnv = process.env,
  options: LocalStackTargetOptions = {},
): Promise<SfnTarget> {
  const endpoint = env.SFN_LOCAL_ENDPOINT?.trim();
  if (endpoint)
    return sfnApiTarget({ endpoint, description: `Step Functions API at ${endpoint} (SFN_LOCAL_ENDPOINT)` });
  if (env.SFN_SUITE_TARGET === 'in-process') return inProcessTarget({ mockConfig: loadMockConfig(MOCK_CONFIG_PATH) });
  return localStackTarget(options);
}

export interface LocalStackTargetOptions {
  log?: (line: string) => void;
  /** Print the stack's own log (every execution it runs). */
  verbose?: boolean;
  /** Retries without their waits (the mocha suite); by default they wait as Step Functions does. */
  fastRetries?: boolean;
}

/** The project's local stack, started on a free port with SFN_MOCK_CONFIG naming the MockConfigFile. */
export async function localStackTarget(options: LocalStackTargetOptions = {}): Promise<SfnTarget> {
  const stack = await startLocalStack({
    port: 0,
    env: { SFN_MOCK_CONFIG: MOCK_CONFIG_PATH },
    log: options.verbose ? consoleLog() : silentLog(),
    recognition: false, // every Task of every test case is mocked
    ...(options.fastRetries ? { retryIntervalMs: 0 } : {}),
  });
  return sfnApiTarget({
    endpoint: stack.endpoint,
    description: `local stack at ${stack.endpoint}`,
    onClose: async () => {
      await stack.stop();
      rmSync(stack.dataDir, { recursive: true, force: true });
    },
  });
}
