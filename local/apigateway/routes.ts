import type { RouteModel } from './http-api-model';

/**
 * API Gateway's route selection for HTTP APIs: the most specific route wins. A path without a greedy variable beats
 * one with {proxy+}; among those, more literal segments win (so /photos/recent beats /photos/{imageId}); a route for
 * the request's method beats ANY; $default catches the rest. Path parameters are URL-decoded, as API Gateway does.
 */
export interface RouteMatch {
  route: RouteModel;
  pathParameters: Record<string, string>;
}

interface Score {
  greedy: boolean;
  literals: number;
  anyMethod: boolean;
}

export function matchRoute(routes: RouteModel[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1);
  let best: { match: RouteMatch; score: Score } | undefined;
  for (const route of routes) {
    if (route.path === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const found = matchPath(route.path, segments);
    if (!found) continue;
    const score = { ...found.score, anyMethod: route.method === 'ANY' };
    if (!best || better(score, best.score)) best = { match: { route, pathParameters: found.pathParameters }, score };
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.path === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function better(a: Score, b: Score): boolean {
  if (a.greedy !== b.greedy) return !a.greedy;
  if (a.literals !== b.literals) return a.literals > b.literals;
  return !a.anyMethod && b.anyMethod;
}

function matchPath(
  template: string,
  segments: string[],
): { score: Omit<Score, 'anyMethod'>; pathParameters: Record<string, string> } | undefined {
  const parts = template.split('/').slice(1);
  const pathParameters: Record<string, string> = {};
  let literals = 0;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] as string;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      const rest = segments.slice(index);
      if (index !== parts.length - 1 || rest.length === 0 || rest.join('/') === '') return undefined;
      const value = decode(rest.join('/'));
      if (value === undefined) return undefined;
      pathParameters[greedy[1] as string] = value;
      return { score: { greedy: true, literals }, pathParameters };
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const variable = /^\{(.+)\}$/.exec(part);
    if (variable) {
      const value = decode(segment);
      if (value === undefined || value === '') return undefined;
      pathParameters[variable[1] as string] = value;
    } else if (part === decode(segment)) literals += 1;
    else return undefined;
  }
  if (segments.length !== parts.length) return undefined;
  return { score: { greedy: false, literals }, pathParameters };
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
