import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent as SfnHistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { ExecutionReader, ExecutionStatus, ExecutionSummary, HistoryEvent } from '../execution-timeline';
import type { ExecutionDescriber, ExecutionDetails } from '../reconcile';
import { callAws } from './transient';
import { sfnClient } from './sfn-client';

/** At most this many history pages (1,000 events each) are read; ImageProcessing makes a few dozen events. */
const MAX_HISTORY_PAGES = 10;
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** DescribeExecution and GetExecutionHistory, answered in the core's shapes (no SDK type leaves this file). */
export class SfnExecutionReader implements ExecutionReader, ExecutionDescriber {
  constructor(private readonly sfn: () => SFNClient) {}

  async describe(executionArn: string): Promise<ExecutionSummary | undefined> {
    try {
      const execution = await callAws('DescribeExecution', () =>
        this.sfn().send(new DescribeExecutionCommand({ executionArn })),
      );
      const status = STATUSES.find((known) => known === execution.status) ?? 'RUNNING';
      return {
        executionArn,
        status,
        startedAt: (execution.startDate ?? new Date(0)).toISOString(),
        ...(execution.stopDate ? { stoppedAt: execution.stopDate.toISOString() } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  /** The input, error and cause of an execution (ReconcileExecution, when its event lacks them). */
  async describeEnd(executionArn: string): Promise<ExecutionDetails | undefined> {
    try {
      const execution = await callAws('DescribeExecution', () =>
        this.sfn().send(new DescribeExecutionCommand({ executionArn })),
      );
      return {
        ...(execution.input !== undefined ? { input: execution.input } : {}),
        ...(execution.error ? { error: execution.error } : {}),
        ...(execution.cause ? { cause: execution.cause } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
      const result = await callAws('GetExecutionHistory', () =>
        this.sfn().send(
          new GetExecutionHistoryCommand({
            executionArn,
            maxResults: 1000,
            includeExecutionData: false,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      events.push(...(result.events ?? []).map(historyEventOf));
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
    return events;
  }
}

function historyEventOf(event: SfnHistoryEvent): HistoryEvent {
  const stateName = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  // Each event type has its own *EventDetails member; the failures among them carry error and cause.
  const details = Object.entries(event).find(([field]) => field.endsWith('EventDetails'))?.[1] as
    { error?: unknown; cause?: unknown } | undefined;
  return {
    id: event.id ?? 0,
    ...(event.previousEventId !== undefined ? { previousEventId: event.previousEventId } : {}),
    type: event.type ?? '',
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    ...(stateName ? { stateName } : {}),
    ...(typeof details?.error === 'string' ? { error: details.error } : {}),
    ...(typeof details?.cause === 'string' ? { cause: details.cause } : {}),
  };
}

export const executionReader = new SfnExecutionReader(sfnClient);
