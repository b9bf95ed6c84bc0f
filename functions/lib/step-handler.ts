import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { addCount, METRIC, metrics, publishMetrics, recordDuration } from './metrics';
import { requireStepInput, type StepInput } from './step-events';

/**
 * The shape every state machine step shares: validate the input, put the S3 key and execution id on every
 * log line, log a failure once with its error name, rethrow it unchanged for the ASL to match; and one metrics line
 * per invocation (the step's duration, its bytes read and written, a failure), dimension `step`.
 */
export function stepHandler<I extends StepInput, O>(step: string, run: (input: I) => Promise<O>) {
  return async (event: unknown, context?: Context): Promise<O> => {
    const startedAt = Date.now();
    if (context) logger.addContext(context);
    logger.resetKeys();
    logger.appendKeys({ step });
    metrics.addDimension('step', step);
    try {
      const input = requireStepInput(event) as I;
      logger.appendKeys({ s3Key: input.upload.key, executionArn: input.executionArn });
      const output = await run(input);
      logger.info('Step completed');
      return output;
    } catch (error) {
      logger.error('Step failed', { errorName: (error as Error).name, error: error as Error });
      addCount(METRIC.stepFailed);
      throw error;
    } finally {
      recordDuration(METRIC.stepDuration, startedAt);
      publishMetrics();
    }
  };
}
