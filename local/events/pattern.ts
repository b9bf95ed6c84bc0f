/**
 * EventBridge event patterns (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html):
 * every field of the pattern must match; a list matches when any of its items does; an object recurses. Items:
 * exact values, prefix, suffix, wildcard, anything-but, equals-ignore-case, exists and numeric. Matching is on the
 * event as delivered, so an S3 key is matched in its percent-encoded form, as on AWS.
 */
export class UnsupportedPattern extends Error {
  override readonly name = 'UnsupportedPattern';
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isRecord(pattern)) throw new UnsupportedPattern('An event pattern must be a JSON object');
  return matchObject(pattern, event, '');
}

function matchObject(pattern: Record<string, unknown>, event: unknown, at: string): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    if (field.startsWith('$or')) {
      if (!Array.isArray(expected)) throw new UnsupportedPattern(`${at}$or must be a list of patterns`);
      if (!expected.some((alternative) => isRecord(alternative) && matchObject(alternative, event, at))) return false;
      continue;
    }
    const present = isRecord(event) && field in event;
    const value = present ? (event as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(expected)) {
      if (!matchList(expected, present, value, `${at}${field}`)) return false;
    } else if (isRecord(expected)) {
      if (!present || !matchObject(expected, value, `${at}${field}.`)) return false;
    } else {
      throw new UnsupportedPattern(`${at}${field}: pattern values must be lists or objects`);
    }
  }
  return true;
}

function matchList(matchers: unknown[], present: boolean, value: unknown, at: string): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isRecord(matcher) && 'exists' in matcher) return matcher.exists === present;
    if (!present) return false;
    return values.some((candidate) => matchOne(matcher, candidate, at));
  });
}

function matchOne(matcher: unknown, value: unknown, at: string): boolean {
  if (!isRecord(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      if (isRecord(operand) && typeof operand['equals-ignore-case'] === 'string') {
        return typeof value === 'string' && value.toLowerCase().startsWith(operand['equals-ignore-case'].toLowerCase());
      }
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      if (isRecord(operand) && typeof operand['equals-ignore-case'] === 'string') {
        return typeof value === 'string' && value.toLowerCase().endsWith(operand['equals-ignore-case'].toLowerCase());
      }
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardRegExp(operand).test(value);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      if (Array.isArray(operand)) return !operand.some((item) => item === value);
      if (isRecord(operand)) return !matchOne(operand, value, at);
      return operand !== value;
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && numericMatches(operand, value, at);
    default:
      throw new UnsupportedPattern(`${at}: the local event bus does not support "${String(operator)}" in patterns`);
  }
}

export function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i += 1) {
    const char = wildcard[i] as string;
    if (char === '\\' && (wildcard[i + 1] === '*' || wildcard[i + 1] === '\\')) {
      source += `\\${wildcard[i + 1]}`;
      i += 1;
    } else if (char === '*') source += '.*';
    else source += char.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function numericMatches(conditions: unknown[], value: number, at: string): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new UnsupportedPattern(`${at}: unknown numeric operator ${String(operator)}`);
    if (!ok) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
