/**
 * What the history and the task binding need to know about each state of a definition, nested ones included
 * (Parallel branches, Map iterations): its type, its lane (the branch it runs in) and its Task resource.
 */
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
      Retry?: unknown;
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

/** The states of the index that have a Retry field (the ones a test's retry interval override applies to). */
export function retryingStates(definition: AslLike, index: Map<string, StateInfo>): string[] {
  return [...index.keys()].filter((name) => Array.isArray(findState(definition, name)?.Retry));
}

function findState(definition: AslLike, name: string): { Retry?: unknown } | undefined {
  const states = definition.States;
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    for (const nested of [
      ...(state.Branches ?? []),
      ...(state.ItemProcessor ? [state.ItemProcessor] : []),
      ...(state.Iterator ? [state.Iterator] : []),
    ]) {
      const found = findState(nested, name);
      if (found) return found;
    }
  }
  return undefined;
}
