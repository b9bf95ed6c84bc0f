/**
 * aws-local-stepfunctions reports what happens as its own event log (StateEntered, StateRetried, ...). This turns
 * that log into the events GetExecutionHistory answers on AWS: typed per state (TaskStateEntered, ChoiceStateExited),
 * one TaskScheduled/TaskStarted per attempt with TaskSucceeded/TaskFailed/TaskTimedOut, Parallel and Map
 * started/succeeded/failed events, ids from 1 and previousEventId chained within each branch, *Details fields.
 */
export interface EngineEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  index?: number;
  Error?: string;
  Cause?: unknown;
  input?: unknown;
  output?: unknown;
}

/** One call of a Task state's resource, as recorded by the task binding. */
export interface TaskAttempt {
  parameters?: unknown;
  output?: unknown;
  error?: { error: string; cause: string };
}

export interface HistoryEventRecord {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

export interface StateInfo {
  type: string;
  lane: string;
  parent?: string;
  resource?: string;
  timeoutSeconds?: number;
}

interface AslLike {
  States: Record<
    string,
    {
      Type: string;
      Resource?: string;
      TimeoutSeconds?: number;
      Branches?: AslLike[];
      Iterator?: AslLike;
      ItemProcessor?: AslLike;
    }
  >;
}

export function stateIndex(
  definition: AslLike,
  lane = '',
  parent?: string,
  into = new Map<string, StateInfo>(),
): Map<string, StateInfo> {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    into.set(name, {
      type: state.Type,
      lane,
      ...(parent ? { parent } : {}),
      ...(state.Resource ? { resource: state.Resource } : {}),
      ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
    });
    (state.Branches ?? []).forEach((branch, index) => stateIndex(branch, `${lane}>${name}/${index}`, name, into));
    const iteration = state.ItemProcessor ?? state.Iterator;
    if (iteration) stateIndex(iteration, `${lane}>${name}/*`, name, into);
  }
  return into;
}

/** resourceType/resource as AWS reports them: arn:aws:states:::lambda:invoke -> lambda / invoke. */
export function taskResource(resource: string | undefined): {
  resourceType: string;
  resource: string;
  lambdaFunction: boolean;
} {
  if (!resource) return { resourceType: 'unknown', resource: 'unknown', lambdaFunction: false };
  if (/^arn:aws:lambda:/.test(resource)) return { resourceType: 'lambda', resource, lambdaFunction: true };
  const match = /^arn:aws:states:[^:]*:[^:]*:([^:]+):([^:.]+(?:\.[^:]+)?)/.exec(resource);
  if (match) return { resourceType: match[1] as string, resource: match[2] as string, lambdaFunction: false };
  return { resourceType: 'activity', resource, lambdaFunction: false };
}

const json = (value: unknown): string => JSON.stringify(value ?? null);
const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : json(cause));

export interface HistoryContext {
  index: Map<string, StateInfo>;
  attempts: Map<string, TaskAttempt[]>;
  region: string;
  roleArn: string;
  /** How StopExecution ended it, for ExecutionAborted details. */
  abort?: { error?: string; cause?: string };
  includeExecutionData?: boolean;
}

export function toHistory(log: EngineEvent[], context: HistoryContext): HistoryEventRecord[] {
  const { index, attempts } = context;
  const history: HistoryEventRecord[] = [];
  const lastOfLane = new Map<string, number>();
  const laneStart = new Map<string, number>();
  const failed = new Set<string>();
  const attemptCursor = new Map<string, number>();
  const data = context.includeExecutionData !== false;

  const laneOf = (name: string | undefined, mapIndex?: number) => {
    const info = name ? index.get(name) : undefined;
    const lane = info?.lane ?? '';
    return lane.endsWith('/*') && mapIndex !== undefined ? `${lane}#${mapIndex}` : lane;
  };
  const previousIn = (lane: string): number =>
    lastOfLane.get(lane) ?? laneStart.get(lane) ?? laneStart.get(lane.replace(/#\d+$/, '')) ?? lastOfLane.get('') ?? 0;
  const push = (
    lane: string,
    type: string,
    timestamp: number,
    details: Record<string, unknown> = {},
    previous?: number,
  ): number => {
    const id = history.length + 1;
    history.push({ timestamp, type, id, previousEventId: previous ?? previousIn(lane), ...details });
    lastOfLane.set(lane, id);
    return id;
  };
  const latestIn = (prefix: string) =>
    Math.max(0, ...[...lastOfLane.entries()].filter(([lane]) => lane.startsWith(prefix)).map(([, id]) => id));

  const scheduled = (name: string, lane: string, timestamp: number, info: StateInfo) => {
    const cursor = attemptCursor.get(name) ?? 0;
    attemptCursor.set(name, cursor + 1);
    const attempt = attempts.get(name)?.[cursor];
    const kind = taskResource(info.resource);
    if (kind.lambdaFunction) {
      push(lane, 'LambdaFunctionScheduled', timestamp, {
        lambdaFunctionScheduledEventDetails: {
          resource: kind.resource,
          ...(data ? { input: json(attempt?.parameters) } : {}),
          ...(info.timeoutSeconds ? { timeoutInSeconds: info.timeoutSeconds } : {}),
        },
      });
      push(lane, 'LambdaFunctionStarted', timestamp);
      return;
    }
    push(lane, 'TaskScheduled', timestamp, {
      taskScheduledEventDetails: {
        resourceType: kind.resourceType,
        resource: kind.resource,
        region: context.region,
        parameters: data ? json(attempt?.parameters) : '',
        ...(info.timeoutSeconds ? { timeoutInSeconds: info.timeoutSeconds } : {}),
      },
    });
    push(lane, 'TaskStarted', timestamp, {
      taskStartedEventDetails: { resourceType: kind.resourceType, resource: kind.resource },
    });
  };
  const attemptOf = (name: string) => attempts.get(name)?.[(attemptCursor.get(name) ?? 1) - 1];

  for (const event of log) {
    const name = event.state?.name;
    const info = name ? index.get(name) : undefined;
    const type = info?.type ?? event.state?.type ?? '';
    const lane = laneOf(name, event.index);
    switch (event.type) {
      case 'ExecutionStarted':
        push(
          '',
          'ExecutionStarted',
          event.timestamp,
          {
            executionStartedEventDetails: {
              ...(data ? { input: json(event.input) } : {}),
              inputDetails: { truncated: false },
              roleArn: context.roleArn,
            },
          },
          0,
        );
        break;
      case 'StateEntered': {
        if (!name) break;
        failed.delete(name);
        push(lane, `${type}StateEntered`, event.timestamp, {
          stateEnteredEventDetails: {
            name,
            ...(data ? { input: json(event.state?.input) } : {}),
            inputDetails: { truncated: false },
          },
        });
        if (type === 'Task' && info) scheduled(name, lane, event.timestamp, info);
        if (type === 'Parallel' || type === 'Map') {
          const started = push(
            lane,
            `${type}StateStarted`,
            event.timestamp,
            type === 'Map'
              ? {
                  mapStateStartedEventDetails: {
                    length: Array.isArray(event.state?.input) ? event.state?.input.length : 0,
                  },
                }
              : {},
          );
          const prefix = `${lane}>${name}/`;
          for (const key of [...lastOfLane.keys()]) if (key.startsWith(prefix)) lastOfLane.delete(key);
          for (const [, other] of index) if (other.parent === name) laneStart.set(other.lane, started);
        }
        break;
      }
      case 'StateRetried':
        if (name && info && type === 'Task') {
          failed.delete(name);
          scheduled(name, lane, event.timestamp, info);
        }
        break;
      case 'StateFailed': {
        if (!name) break;
        failed.add(name);
        const error = event.Error ?? 'States.Runtime';
        const cause = causeText(event.Cause);
        if (type === 'Task' && info) {
          const kind = taskResource(info.resource);
          const recorded = attemptOf(name)?.error;
          const details = { error, cause: recorded && recorded.error === error ? recorded.cause : cause };
          if (error === 'States.Timeout') {
            push(
              lane,
              kind.lambdaFunction ? 'LambdaFunctionTimedOut' : 'TaskTimedOut',
              event.timestamp,
              kind.lambdaFunction
                ? { lambdaFunctionTimedOutEventDetails: details }
                : {
                    taskTimedOutEventDetails: { resourceType: kind.resourceType, resource: kind.resource, ...details },
                  },
            );
          } else {
            push(
              lane,
              kind.lambdaFunction ? 'LambdaFunctionFailed' : 'TaskFailed',
              event.timestamp,
              kind.lambdaFunction
                ? { lambdaFunctionFailedEventDetails: details }
                : { taskFailedEventDetails: { resourceType: kind.resourceType, resource: kind.resource, ...details } },
            );
          }
        } else if (type === 'Parallel' || type === 'Map') {
          push(
            lane,
            `${type}StateFailed`,
            event.timestamp,
            {},
            Math.max(previousIn(lane), latestIn(`${lane}>${name}/`)),
          );
        }
        break;
      }
      case 'StateExited': {
        if (!name || type === 'Fail') break;
        if (type === 'Task' && info && !failed.has(name)) {
          const kind = taskResource(info.resource);
          const output = json(attemptOf(name)?.output ?? event.state?.output);
          if (kind.lambdaFunction)
            push(lane, 'LambdaFunctionSucceeded', event.timestamp, {
              lambdaFunctionSucceededEventDetails: { ...(data ? { output } : {}), outputDetails: { truncated: false } },
            });
          else
            push(lane, 'TaskSucceeded', event.timestamp, {
              taskSucceededEventDetails: {
                resourceType: kind.resourceType,
                resource: kind.resource,
                ...(data ? { output } : {}),
                outputDetails: { truncated: false },
              },
            });
        }
        if ((type === 'Parallel' || type === 'Map') && !failed.has(name)) {
          push(
            lane,
            `${type}StateSucceeded`,
            event.timestamp,
            {},
            Math.max(previousIn(lane), latestIn(`${lane}>${name}/`)),
          );
        }
        push(lane, `${type}StateExited`, event.timestamp, {
          stateExitedEventDetails: {
            name,
            ...(data ? { output: json(event.state?.output) } : {}),
            outputDetails: { truncated: false },
          },
        });
        break;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const mapName = event.parentState?.name ?? '';
        const mapLane = laneOf(mapName);
        const iterationLane = `${mapLane}>${mapName}/*#${event.index ?? 0}`;
        const id = push(iterationLane, event.type, event.timestamp, {
          [`${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`]: {
            name: mapName,
            index: event.index ?? 0,
          },
        });
        if (event.type === 'MapIterationStarted') laneStart.set(iterationLane, id);
        break;
      }
      case 'ExecutionSucceeded':
        push(
          '',
          'ExecutionSucceeded',
          event.timestamp,
          {
            executionSucceededEventDetails: {
              ...(data ? { output: json(event.output) } : {}),
              outputDetails: { truncated: false },
            },
          },
          history.length,
        );
        break;
      case 'ExecutionFailed':
        push(
          '',
          'ExecutionFailed',
          event.timestamp,
          {
            executionFailedEventDetails: { error: event.Error ?? 'States.Runtime', cause: causeText(event.Cause) },
          },
          history.length,
        );
        break;
      case 'ExecutionAborted':
        push(
          '',
          'ExecutionAborted',
          event.timestamp,
          {
            executionAbortedEventDetails: {
              ...(context.abort?.error ? { error: context.abort.error } : {}),
              ...(context.abort?.cause ? { cause: context.abort.cause } : {}),
            },
          },
          history.length,
        );
        break;
      case 'ExecutionTimeout':
        push(
          '',
          'ExecutionTimedOut',
          event.timestamp,
          { executionTimedOutEventDetails: { error: 'States.Timeout' } },
          history.length,
        );
        break;
      default:
      // ParallelBranch* and StateCaught have no event of their own in AWS's history.
    }
  }
  return history;
}
