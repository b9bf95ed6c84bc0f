/**
 * Requests dynalite must not see. It validates documents recursively and parses expressions with a backtracking
 * parser, and it rethrows what it did not expect from inside its own request handler, so one request could end the
 * stack: a document nested thousands deep overflows the stack, twenty nested parentheses in an expression take
 * minutes. DynamoDB's own limits are far below what hurts (32 levels of nesting in an item, 4 KB per expression);
 * the local one refuses nesting deeper than MAX_JSON_DEPTH and more than MAX_PARENTHESES nested parentheses in an
 * expression, each with a ValidationException that says so.
 */
export const MAX_JSON_DEPTH = 100;
export const MAX_EXPRESSION_BYTES = 4096;
export const MAX_PARENTHESES = 8;

/** Why the request is refused, or undefined to pass it on (bodies that are not JSON are dynalite's to answer). */
export function refusalOf(body: Buffer): string | undefined {
  if (jsonDepth(body) > MAX_JSON_DEPTH)
    return `Nesting Levels have exceeded supported limits (the local DynamoDB takes JSON nested up to ${MAX_JSON_DEPTH} deep)`;
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return expressionRefusal(document);
}

/** How deep arrays and objects nest in a JSON text, counted without parsing it. */
export function jsonDepth(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text[i];
    if (inString) {
      if (byte === 0x5c) i += 1;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, (depth += 1));
    else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return deepest;
}

function expressionRefusal(value: unknown, name = ''): string | undefined {
  if (typeof value === 'string') return name.endsWith('Expression') ? checkExpression(name, value) : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const refusal = expressionRefusal(inner, Array.isArray(value) ? name : key);
    if (refusal) return refusal;
  }
  return undefined;
}

function checkExpression(name: string, expression: string): string | undefined {
  const size = Buffer.byteLength(expression);
  if (size > MAX_EXPRESSION_BYTES)
    return `Invalid ${name}: Expression size has exceeded the maximum allowed size; expression size: ${size}`;
  let depth = 0;
  for (const char of expression) {
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    if (depth > MAX_PARENTHESES)
      return `Invalid ${name}: the local DynamoDB (dynalite) parses at most ${MAX_PARENTHESES} nested parentheses`;
  }
  return undefined;
}
