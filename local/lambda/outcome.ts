/** What a local invocation answers: the function's payload, or its error as Lambda records it. */
export interface FunctionErrorRecord {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type InvokeOutcome =
  | { ok: true; payload: string; requestId: string; durationMs: number }
  | { ok: false; error: FunctionErrorRecord; requestId: string; durationMs: number };

/** A function error crossing into code that expects a thrown Error (e.g. the Step Functions engine). */
export class FunctionError extends Error {
  constructor(readonly record: FunctionErrorRecord) {
    super(record.errorMessage);
    this.name = record.errorType;
    this.stack = record.trace.join('\n');
  }
}

/** Thrown for a function name the template does not declare (Lambda's ResourceNotFoundException). */
export class FunctionNotFound extends Error {
  override readonly name = 'ResourceNotFoundException';
}

/** "Name", "Name:qualifier", "123:function:Name" or a full ARN -> "Name". */
export function functionNameOf(nameOrArn: string): string {
  const marker = nameOrArn.indexOf('function:');
  const rest = marker >= 0 ? nameOrArn.slice(marker + 'function:'.length) : nameOrArn;
  return rest.split(':')[0] ?? rest;
}

/** How Lambda reports a sandbox killed for passing its MemorySize (Node.js runtimes). */
export function outOfMemoryRecord(requestId: string): FunctionErrorRecord {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
    trace: [],
  };
}

/** How Lambda reports a runtime process that exited without answering: `exit status N` or `signal: NAME`. */
export function exitRecord(requestId: string, code: number | null, signal: string | null): FunctionErrorRecord {
  const how = signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code ?? 0}`;
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
    trace: [],
  };
}
