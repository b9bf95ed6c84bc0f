import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

/**
 * Where the stack writes what it does: its own notices and every function's log lines, each prefixed with its
 * source. `npm start` prints them; the pipeline keeps stdout for its results and writes them to a file.
 */
export interface StackLog {
  line(source: string, message: string): void;
  close(): Promise<void>;
}

export function consoleLog(stream: NodeJS.WritableStream = process.stdout): StackLog {
  return {
    line: (source, message) => stream.write(`[${source}] ${message}\n`),
    close: async () => undefined,
  };
}

export function fileLog(file: string): StackLog {
  mkdirSync(path.dirname(file), { recursive: true });
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  stream.on('error', () => undefined);
  return {
    line: (source, message) => stream.write(`${new Date().toISOString()} [${source}] ${message}\n`),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

export function silentLog(): StackLog {
  return { line: () => undefined, close: async () => undefined };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
