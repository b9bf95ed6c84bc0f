import { expect } from 'chai';
import type { Execution } from '../../web/src/api/types';
import { formatDuration, timelineOf } from '../../web/src/timeline';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('execution timeline', () => {
  it('formats durations for people', () => {
    expect([0, 340, 999.6, 1250, 9999, 12345, 59999, 65000, 600000].map(formatDuration)).to.deep.equal([
      '0 ms',
      '340 ms',
      '1.00 s',
      '1.25 s',
      '10.0 s',
      '12.3 s',
      '1 min 0 s',
      '1 min 5 s',
      '10 min 0 s',
    ]);
    expect(formatDuration(-1)).to.equal('');
  });

  it('places each step on the execution’s axis with its duration and status in words', () => {
    const execution: Execution = {
      executionArn: 'arn:aws:states:us-east-1:1:execution:ImageProcessing:x',
      status: 'SUCCEEDED',
      startedAt: at(0),
      stoppedAt: at(2000),
      steps: [
        { name: 'ExtractImageMetadata', status: 'SUCCEEDED', startedAt: at(0), stoppedAt: at(500), durationMs: 500 },
        { name: 'DetectLabels', status: 'CAUGHT', startedAt: at(500), stoppedAt: at(1500), error: 'Throttled' },
        { name: 'CompleteProcessing', status: 'SUCCEEDED', startedAt: at(1500), stoppedAt: at(1501) },
      ],
    };
    const timeline = timelineOf(execution, T0 + 99999);
    expect(timeline.totalText).to.equal('2.00 s');
    expect(
      timeline.rows.map((row) => [row.name, row.statusText, row.durationText, row.leftPct, row.widthPct]),
    ).to.deep.equal([
      ['ExtractImageMetadata', 'succeeded', '500 ms', 0, 25],
      ['DetectLabels', 'failed, handled', '1.00 s', 25, 50],
      // 1 ms is 0.05 % of the axis: still drawn as a sliver.
      ['CompleteProcessing', 'succeeded', '1 ms', 75, 0.5],
    ]);
    expect(timeline.rows[1]?.detail).to.equal('Throttled');
  });

  it('runs a running step up to now', () => {
    const execution: Execution = {
      executionArn: 'arn',
      status: 'RUNNING',
      startedAt: at(0),
      steps: [
        { name: 'ExtractImageMetadata', status: 'SUCCEEDED', startedAt: at(0), stoppedAt: at(1000) },
        { name: 'GenerateThumbnail', status: 'RUNNING', startedAt: at(1000) },
      ],
    };
    const timeline = timelineOf(execution, T0 + 4000);
    expect(timeline.totalMs).to.equal(4000);
    expect(timeline.rows[1]).to.include({ durationMs: 3000, leftPct: 25, widthPct: 75, statusText: 'running' });
  });
});
