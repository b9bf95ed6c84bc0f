import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The local stack's mailbox: every e-mail a local service "sends" (SNS e-mail subscriptions; Cognito's codes can use
 * it too) is one JSON line appended to <data>/inbox/inbox.jsonl, readable while the stack runs and kept across
 * restarts (`npm run reset` empties it). Nothing leaves the machine.
 */
export interface InboxMessage {
  /** Unique per message. */
  id: string;
  /** ISO 8601, when it was "sent". */
  time: string;
  /** Which local service sent it, e.g. 'sns'. */
  source: string;
  from: string;
  to: string;
  subject: string;
  /** The body, plain text. */
  text: string;
  /** What the sender adds for tools (SNS: topicArn, subscriptionArn, messageId); strings only. */
  meta?: Record<string, string>;
  /**
   * SNS: the message attributes, name to value (a String's or Number's text, a String.Array's JSON, a Binary's
   * base64), which an e-mail from SNS does not show but the local inbox keeps so tools can tell whose photo it is.
   */
  attributes?: Record<string, string>;
}

export const INBOX_DIR = 'inbox';
export const INBOX_FILE = 'inbox.jsonl';

export function inboxFile(dataDir: string): string {
  return path.join(dataDir, INBOX_DIR, INBOX_FILE);
}

/** Appends one message (created private: the inbox may hold codes); returns it as stored. */
export function deliverMail(dataDir: string, mail: Omit<InboxMessage, 'id' | 'time'>): InboxMessage {
  const message: InboxMessage = { id: randomUUID(), time: new Date().toISOString(), ...mail };
  mkdirSync(path.dirname(inboxFile(dataDir)), { recursive: true, mode: 0o700 });
  appendFileSync(inboxFile(dataDir), `${JSON.stringify(message)}\n`, { mode: 0o600 });
  return message;
}

/** Every message in the inbox, oldest first, optionally only those to one address; a torn last line is skipped. */
export function readInbox(dataDir: string, to?: string): InboxMessage[] {
  let text: string;
  try {
    text = readFileSync(inboxFile(dataDir), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      const message = JSON.parse(line) as InboxMessage;
      return to === undefined || message.to === to ? [message] : [];
    } catch {
      return [];
    }
  });
}
