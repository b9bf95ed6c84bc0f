import type { Execution } from '../api/types';
import { timelineOf } from '../timeline';

const EXECUTION_WORDS: Record<Execution['status'], string> = {
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed out',
  ABORTED: 'aborted',
};

/** The workflow's steps in the order they started, each with its duration and a bar on the execution's time axis. */
export function ExecutionTimeline({ execution, nowMs }: { execution: Execution; nowMs: number }) {
  const timeline = timelineOf(execution, nowMs);
  return (
    <div className="timeline">
      <p>
        Execution {EXECUTION_WORDS[execution.status] ?? execution.status}
        {timeline.totalText ? ` in ${timeline.totalText}` : ''}.
      </p>
      <ol>
        {timeline.rows.map((row, index) => (
          <li key={`${row.name}-${index}`} className={`step step-${row.status.toLowerCase()}`}>
            <span className="step-name">{row.name}</span>
            <span className="step-status">{row.statusText}</span>
            <span className="step-duration">{row.durationText}</span>
            <span className="step-axis" aria-hidden="true">
              <span className="step-bar" style={{ marginLeft: `${row.leftPct}%`, width: `${row.widthPct}%` }} />
            </span>
            {row.detail ? <span className="step-detail">{row.detail}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
