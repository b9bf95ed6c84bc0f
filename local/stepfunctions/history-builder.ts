import type { EngineEvent, HistoryContext, HistoryEventRecord } from './history';
import { taskResource, type StateInfo } from './state-index';

const json = (value: unknown): string => JSON.stringify(value ?? null);
const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : json(cause));
const isBranching = (type: string) => type === 'Parallel' || type === 'Map';

/**
 * Builds an AWS execution history one engine event at a time. Events are chained per lane (the top level, each
 * Parallel branch, each Map iteration): previousEventId is the lane's last event, or the event that opened the lane.
 */
export class HistoryBuilder {
  readonly history: HistoryEventRecord[] = [];
  private readonly lastOfLane = new Map<string, number>();
  private readonly laneStart = new Map<string, number>();
  private readonly failed = new Set<string>();
  private readonly attemptCursor = new Map<string, number>();
  private readonly data: boolean;

  constructor(private readonly context: HistoryContext) {
    this.data = context.includeExecutionData !== false;
  }

  add(event: EngineEvent): void {
    const name = event.state?.name;
    const info = name ? this.context.index.get(name) : undefined;
    const type = info?.type ?? event.state?.type ?? '';
    const lane = this.laneOf(name, event.index);
    switch (event.type) {
      case 'StateEntered':
        if (name) this.stateEntered(event, name, type, lane, info);
        break;
      case 'StateRetried':
        if (name && info && type === 'Task') {
          this.failed.delete(name);
          this.scheduled(name, lane, event.timestamp, info);
        }
        break;
      case 'StateFailed':
        if (name) this.stateFailed(event, name, type, lane, info);
        break;
      case 'StateExited':
        if (name && type !== 'Fail') this.stateExited(event, name, type, lane, info);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.mapIteration(event);
        break;
      default:
        // ParallelBranch* and StateCaught have no event of their own in AWS's history.
        this.execution(event);
    }
  }

  private laneOf(name: string | undefined, mapIndex?: number): string {
    const info = name ? this.context.index.get(name) : undefined;
    const lane = info?.lane ?? '';
    return lane.endsWith('/*') && mapIndex !== undefined ? `${lane}#${mapIndex}` : lane;
  }

  private previousIn(lane: string): number {
    const { lastOfLane, laneStart } = this;
    return (
      lastOfLane.get(lane) ?? laneStart.get(lane) ?? laneStart.get(lane.replace(/#\d+$/, '')) ?? lastOfLane.get('') ?? 0
    );
  }

  private latestIn(prefix: string): number {
    const ids = [...this.lastOfLane.entries()].filter(([lane]) => lane.startsWith(prefix)).map(([, id]) => id);
    return Math.max(0, ...ids);
  }

  private push(
    lane: string,
    type: string,
    timestamp: number,
    details: Record<string, unknown> = {},
    previous?: number,
  ): number {
    const id = this.history.length + 1;
    this.history.push({ timestamp, type, id, previousEventId: previous ?? this.previousIn(lane), ...details });
    this.lastOfLane.set(lane, id);
    return id;
  }

  private attemptOf(name: string) {
    return this.context.attempts.get(name)?.[(this.attemptCursor.get(name) ?? 1) - 1];
  }

  private execution(event: EngineEvent): void {
    const end = (type: string, details: Record<string, unknown>) =>
      this.push('', type, event.timestamp, details, this.history.length);
    const abort = this.context.abort;
    switch (event.type) {
      case 'ExecutionStarted':
        this.push(
          '',
          'ExecutionStarted',
          event.timestamp,
          {
            executionStartedEventDetails: {
              ...(this.data ? { input: json(event.input) } : {}),
              inputDetails: { truncated: false },
              roleArn: this.context.roleArn,
            },
          },
          0,
        );
        break;
      case 'ExecutionSucceeded':
        end('ExecutionSucceeded', {
          executionSucceededEventDetails: {
            ...(this.data ? { output: json(event.output) } : {}),
            outputDetails: { truncated: false },
          },
        });
        break;
      case 'ExecutionFailed':
        end('ExecutionFailed', {
          executionFailedEventDetails: { error: event.Error ?? 'States.Runtime', cause: causeText(event.Cause) },
        });
        break;
      case 'ExecutionAborted':
        end('ExecutionAborted', {
          executionAbortedEventDetails: {
            ...(abort?.error ? { error: abort.error } : {}),
            ...(abort?.cause ? { cause: abort.cause } : {}),
          },
        });
        break;
      case 'ExecutionTimeout':
        end('ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        break;
      default:
    }
  }

  private stateEntered(event: EngineEvent, name: string, type: string, lane: string, info?: StateInfo): void {
    this.failed.delete(name);
    this.push(lane, `${type}StateEntered`, event.timestamp, {
      stateEnteredEventDetails: {
        name,
        ...(this.data ? { input: json(event.state?.input) } : {}),
        inputDetails: { truncated: false },
      },
    });
    if (type === 'Task' && info) this.scheduled(name, lane, event.timestamp, info);
    if (!isBranching(type)) return;
    const input = event.state?.input;
    const started = this.push(
      lane,
      `${type}StateStarted`,
      event.timestamp,
      type === 'Map' ? { mapStateStartedEventDetails: { length: Array.isArray(input) ? input.length : 0 } } : {},
    );
    const prefix = `${lane}>${name}/`;
    for (const key of [...this.lastOfLane.keys()]) if (key.startsWith(prefix)) this.lastOfLane.delete(key);
    for (const [, other] of this.context.index) if (other.parent === name) this.laneStart.set(other.lane, started);
  }

  /** One attempt of a Task: LambdaFunctionScheduled/Started for Lambda ARNs, TaskScheduled/Started otherwise. */
  private scheduled(name: string, lane: string, timestamp: number, info: StateInfo): void {
    const cursor = this.attemptCursor.get(name) ?? 0;
    this.attemptCursor.set(name, cursor + 1);
    const attempt = this.context.attempts.get(name)?.[cursor];
    const kind = taskResource(info.resource);
    const timeout = info.timeoutSeconds ? { timeoutInSeconds: info.timeoutSeconds } : {};
    if (kind.lambdaFunction) {
      this.push(lane, 'LambdaFunctionScheduled', timestamp, {
        lambdaFunctionScheduledEventDetails: {
          resource: kind.resource,
          ...(this.data ? { input: json(attempt?.parameters) } : {}),
          ...timeout,
        },
      });
      this.push(lane, 'LambdaFunctionStarted', timestamp);
      return;
    }
    this.push(lane, 'TaskScheduled', timestamp, {
      taskScheduledEventDetails: {
        resourceType: kind.resourceType,
        resource: kind.resource,
        region: this.context.region,
        parameters: this.data ? json(attempt?.parameters) : '',
        ...timeout,
      },
    });
    this.push(lane, 'TaskStarted', timestamp, {
      taskStartedEventDetails: { resourceType: kind.resourceType, resource: kind.resource },
    });
  }

  private stateFailed(event: EngineEvent, name: string, type: string, lane: string, info?: StateInfo): void {
    this.failed.add(name);
    const error = event.Error ?? 'States.Runtime';
    if (type === 'Task' && info) {
      const kind = taskResource(info.resource);
      const recorded = this.attemptOf(name)?.error;
      const details = { error, cause: recorded && recorded.error === error ? recorded.cause : causeText(event.Cause) };
      const timedOut = error === 'States.Timeout';
      const task = { resourceType: kind.resourceType, resource: kind.resource, ...details };
      if (kind.lambdaFunction) {
        const what = timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed';
        this.push(lane, what, event.timestamp, { [`${lowerFirst(what)}EventDetails`]: details });
      } else {
        const what = timedOut ? 'TaskTimedOut' : 'TaskFailed';
        this.push(lane, what, event.timestamp, { [`${lowerFirst(what)}EventDetails`]: task });
      }
    } else if (isBranching(type)) {
      this.push(lane, `${type}StateFailed`, event.timestamp, {}, this.branchesEnd(lane, name));
    }
  }

  private stateExited(event: EngineEvent, name: string, type: string, lane: string, info?: StateInfo): void {
    if (type === 'Task' && info && !this.failed.has(name)) {
      const kind = taskResource(info.resource);
      const output = this.data ? { output: json(this.attemptOf(name)?.output ?? event.state?.output) } : {};
      if (kind.lambdaFunction)
        this.push(lane, 'LambdaFunctionSucceeded', event.timestamp, {
          lambdaFunctionSucceededEventDetails: { ...output, outputDetails: { truncated: false } },
        });
      else
        this.push(lane, 'TaskSucceeded', event.timestamp, {
          taskSucceededEventDetails: {
            resourceType: kind.resourceType,
            resource: kind.resource,
            ...output,
            outputDetails: { truncated: false },
          },
        });
    }
    if (isBranching(type) && !this.failed.has(name)) {
      this.push(lane, `${type}StateSucceeded`, event.timestamp, {}, this.branchesEnd(lane, name));
    }
    this.push(lane, `${type}StateExited`, event.timestamp, {
      stateExitedEventDetails: {
        name,
        ...(this.data ? { output: json(event.state?.output) } : {}),
        outputDetails: { truncated: false },
      },
    });
  }

  /** A Parallel or Map ends after the last event of its own lane or of any of its branches. */
  private branchesEnd(lane: string, name: string): number {
    return Math.max(this.previousIn(lane), this.latestIn(`${lane}>${name}/`));
  }

  private mapIteration(event: EngineEvent): void {
    const mapName = event.parentState?.name ?? '';
    const iterationLane = `${this.laneOf(mapName)}>${mapName}/*#${event.index ?? 0}`;
    const id = this.push(iterationLane, event.type, event.timestamp, {
      [`${lowerFirst(event.type)}EventDetails`]: { name: mapName, index: event.index ?? 0 },
    });
    if (event.type === 'MapIterationStarted') this.laneStart.set(iterationLane, id);
  }
}

function lowerFirst(text: string): string {
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}
