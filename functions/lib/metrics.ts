import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics as Embedded Metric Format log lines (Powertools Metrics): CloudWatch Logs turns each line into
 * metrics in the namespace POWERTOOLS_METRICS_NAMESPACE (the stack's name, template.yaml), dimension `service`. No
 * API call, no extra latency; offline they are just JSON log lines. Each handler flushes once per invocation
 * (`publishMetrics`), so what is added below lands in that invocation's line with the handler's own dimensions.
 *
 * | metric | unit | dimensions | added by |
 * |---|---|---|---|
 * | `StepDuration` | Milliseconds | service, step | every state machine step (step-handler.ts) |
 * | `StepFailed` | Count | service, step | a step that throws (the ASL then retries or catches) |
 * | `BytesRead`, `BytesWritten` | Bytes | as the invocation's | every S3 object read and written (aws/s3-objects.ts) |
 * | `Outcomes` | Count | service, status | the step or reconciliation that wrote an upload's final status |
 * | `TriggerOutcomes` | Count | service, outcome | S3Trigger: started, duplicate, stale, skipped |
 * | `ReconciledExecutions` | Count | service | ReconcileExecution, each item it had to mark FAILED (alarmed) |
 */
export const metrics = new Metrics();

export const METRIC = {
  stepDuration: 'StepDuration',
  stepFailed: 'StepFailed',
  bytesRead: 'BytesRead',
  bytesWritten: 'BytesWritten',
  outcomes: 'Outcomes',
  triggerOutcomes: 'TriggerOutcomes',
  reconciled: 'ReconciledExecutions',
  notificationFailed: 'NotificationsFailed',
} as const;

/** Counts the bytes of an object read, and hands them on. */
export function countBytesRead(bytes: Uint8Array): Uint8Array {
  metrics.addMetric(METRIC.bytesRead, MetricUnit.Bytes, bytes.byteLength);
  return bytes;
}

export function countBytesWritten(bytes: number): void {
  metrics.addMetric(METRIC.bytesWritten, MetricUnit.Bytes, bytes);
}

/**
 * One count under its own dimension (a final status, a trigger outcome), emitted at once on its own line so it does
 * not take the invocation's dimensions (a step's name).
 */
export function countWith(metric: string, dimension: string, value: string): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(metric, MetricUnit.Count, 1);
}

/** Adds one count of `metric` to the invocation's line (with its dimensions). */
export function addCount(metric: string): void {
  metrics.addMetric(metric, MetricUnit.Count, 1);
}

/** Adds one count of `metric` with only the service dimension, on its own line. */
export function count(metric: string): void {
  metrics.singleMetric().addMetric(metric, MetricUnit.Count, 1);
}

/** A final status written (SUCCEEDED, UNSUPPORTED, FAILED): one count under `status`. */
export function countOutcome(status: string): void {
  countWith(METRIC.outcomes, 'status', status);
}

export function recordDuration(metric: string, startedAt: number): void {
  metrics.addMetric(metric, MetricUnit.Milliseconds, Date.now() - startedAt);
}

/** Writes the invocation's metrics (one EMF line), if it added any; the next invocation starts empty. */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  else metrics.clearDimensions();
}
