import type { Execution, Step, StepStatus } from './api/types';

/** The execution timeline: each step as a bar placed on the execution's time axis, with its duration in words. */
export interface TimelineRow {
  name: string;
  status: StepStatus;
  statusText: string;
  /** ms from the execution's start to the step's start. */
  offsetMs: number;
  durationMs?: number;
  durationText: string;
  /** The bar, in percent of the axis (a running step reaches to now). */
  leftPct: number;
  widthPct: number;
  detail?: string;
}

export interface Timeline {
  rows: TimelineRow[];
  totalMs: number;
  totalText: string;
}

const STEP_WORDS: Record<StepStatus, string> = {
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  CAUGHT: 'failed, handled',
};

/** "340 ms", "1.25 s", "12.3 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const rounded = Math.round(ms);
  if (rounded < 1000) return `${rounded} ms`;
  // The bounds are where rounding would print the next unit's first value ("10.00 s", "60.0 s").
  if (rounded < 9995) return `${(rounded / 1000).toFixed(2)} s`;
  if (rounded < 59950) return `${(rounded / 1000).toFixed(1)} s`;
  const seconds = Math.round(rounded / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function stepDuration(step: Step, nowMs: number): number | undefined {
  if (step.durationMs !== undefined) return step.durationMs;
  const start = Date.parse(step.startedAt);
  const stop = step.stoppedAt === undefined ? undefined : Date.parse(step.stoppedAt);
  if (Number.isNaN(start)) return undefined;
  if (stop !== undefined && !Number.isNaN(stop)) return Math.max(0, stop - start);
  return step.status === 'RUNNING' ? Math.max(0, nowMs - start) : undefined;
}

export function timelineOf(execution: Execution, nowMs: number): Timeline {
  const start = Date.parse(execution.startedAt);
  const stoppedAt = execution.stoppedAt === undefined ? Number.NaN : Date.parse(execution.stoppedAt);
  const steps = execution.steps.map((step) => {
    const offsetMs = Math.max(0, Date.parse(step.startedAt) - start) || 0;
    return { step, offsetMs, durationMs: stepDuration(step, nowMs) };
  });
  const lastStepEnd = Math.max(0, ...steps.map(({ offsetMs, durationMs }) => offsetMs + (durationMs ?? 0)));
  const totalMs = Number.isNaN(stoppedAt) ? Math.max(lastStepEnd, nowMs - start || 0) : stoppedAt - start;
  const axis = Math.max(totalMs, lastStepEnd, 1);
  const rows = steps.map(({ step, offsetMs, durationMs }) => ({
    name: step.name,
    status: step.status,
    statusText: STEP_WORDS[step.status] ?? step.status.toLowerCase(),
    offsetMs,
    ...(durationMs === undefined ? {} : { durationMs }),
    durationText: durationMs === undefined ? '' : formatDuration(durationMs),
    leftPct: round((offsetMs / axis) * 100),
    // A step too short to see still gets a sliver.
    widthPct: Math.max(0.5, round(((durationMs ?? 0) / axis) * 100)),
    ...(step.error ? { detail: step.cause ? `${step.error}: ${step.cause}` : step.error } : {}),
  }));
  return { rows, totalMs: Math.max(0, totalMs), totalText: formatDuration(Math.max(0, totalMs)) };
}

function round(value: number): number {
  return Math.round(Math.min(100, Math.max(0, value)) * 100) / 100;
}
