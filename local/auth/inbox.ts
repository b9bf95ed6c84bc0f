import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the local user pool "sends" its e-mails: Cognito e-mails a confirmation code; locally the message is one
 * JSON line in <data>/auth/inbox.jsonl and one line in the stack's log (printed by `npm start`).
 */
export interface InboxMessage {
  time: string;
  to: string;
  subject: string;
  code: string;
}

export const INBOX_FILE = 'inbox.jsonl';

export function sendCode(authDir: string, to: string, code: string, log: (line: string) => void): void {
  const message: InboxMessage = { time: new Date().toISOString(), to, subject: 'Your verification code', code };
  mkdirSync(authDir, { recursive: true, mode: 0o700 });
  appendFileSync(path.join(authDir, INBOX_FILE), `${JSON.stringify(message)}\n`, { mode: 0o600 });
  log(`verification code for ${to}: ${code} (also in ${path.join(authDir, INBOX_FILE)})`);
}

/** The newest code sent to `to`, if any. */
export function latestCode(authDir: string, to: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(authDir, INBOX_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const codes = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as InboxMessage)
    .filter((message) => message.to === to);
  return codes.at(-1)?.code;
}
