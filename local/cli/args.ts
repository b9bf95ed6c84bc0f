/**
 * The few command-line shapes the local tools take: --name value, --name=value, --flag, and positionals.
 * Unknown options are refused with the list of known ones.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  options: Record<string, string | true>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: { values: string[]; flags: string[] }): ParsedArgs {
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`);
      if (inline === undefined) i += 1;
      options[name] = value;
    } else {
      const known = [...spec.values, ...spec.flags].map((option) => `--${option}`).join(', ');
      throw new UsageError(`Unknown option --${name} (known: ${known})`);
    }
  }
  return { options, positionals };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = 65535): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/**
 * `--parameter-overrides "Name=value Other=value"`, as `sam deploy` takes it: template parameters by name (the stack
 * model refuses a name the template does not declare). A value may not hold a space.
 */
export function parameterOverrides(args: ParsedArgs): Record<string, string> {
  const raw = stringOption(args, 'parameter-overrides');
  if (raw === undefined) return {};
  const overrides: Record<string, string> = {};
  for (const pair of raw.split(/\s+/).filter(Boolean)) {
    const match = /^([A-Za-z0-9]+)=(.*)$/s.exec(pair);
    if (!match) throw new UsageError(`--parameter-overrides takes Name=value pairs separated by spaces, not "${pair}"`);
    overrides[match[1] as string] = match[2] as string;
  }
  return overrides;
}

/** The SDK's Node 20 deprecation notice is noise for a local tool run by npm. */
export function quietNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (
      type === 'NodeVersionSupportWarning' ||
      (typeof warning !== 'string' && warning.name === 'NodeVersionSupportWarning') ||
      /require node >=22/.test(text)
    )
      return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
