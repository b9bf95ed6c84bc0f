/**
 * End-to-end benchmark on the local stack: photos uploaded through S3, processed by the real handlers, the real ASL
 * and local recognition, from the PutObject call to the execution's stop time (read from Step Functions, so the
 * pipeline's polling interval does not count).
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processPhoto, runAll } from '../local/pipeline/run';
import { resolveTarget } from '../local/pipeline/target';
import type { StackLog } from '../local/log';
import { startLocalStack } from '../local/stack';
import { round } from './metadata';

export interface E2eBenchResult {
  photos: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  photosPerMin: number;
  failed: number;
}

const FIXTURES = join(resolve(__dirname, '..'), 'test/fixtures/images');

export async function runE2eBench(options: { photos: number; concurrency?: number }): Promise<E2eBenchResult> {
  const concurrency = options.concurrency ?? 2;
  const sources = readdirSync(FIXTURES)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .map((name) => join(FIXTURES, name));
  const files = Array.from({ length: options.photos }, (_, index) => sources[index % sources.length] as string);
  const silent: StackLog = { line: () => undefined, close: async () => undefined };
  const stack = await startLocalStack({ port: 0, warm: true, log: silent });
  try {
    const target = await resolveTarget({ endpoint: stack.endpoint });
    // One photo first, untimed: it loads the recognition model and starts every function once (cold starts).
    await processPhoto(target, { file: files[0] as string, user: 'bench-warmup', timeoutMs: 120_000 });
    const started = Date.now();
    const latencies: number[] = [];
    let failed = 0;
    await runAll(
      files,
      concurrency,
      async (file, index) => {
        const uploadedAt = Date.now();
        const result = await processPhoto(target, {
          file,
          user: 'bench',
          album: `run-${started}-${index}`,
          timeoutMs: 120_000,
        });
        if (result.status === 'FAILED' || !result.executionArn) {
          failed += 1;
          return result;
        }
        const execution = await target.sfn.send(new DescribeExecutionCommand({ executionArn: result.executionArn }));
        latencies.push((execution.stopDate?.getTime() ?? Date.now()) - uploadedAt);
        return result;
      },
      () => undefined,
    );
    const minutes = (Date.now() - started) / 60_000;
    return {
      photos: files.length,
      concurrency,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      photosPerMin: round(files.length / minutes),
      failed,
    };
  } finally {
    await stack.stop();
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
