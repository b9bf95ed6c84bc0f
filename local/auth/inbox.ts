import { deliverMail, inboxFile, readInbox } from '../inbox';

/**
 * Where the local user pool "sends" its e-mails: Cognito e-mails a confirmation code; locally the message goes to the
 * stack's inbox (../inbox.ts, <data>/inbox/inbox.jsonl, shared with SNS's e-mail subscriptions) with the code in
 * `meta.code`, and one line goes to the stack's log (printed by `npm start`).
 */
const SOURCE = 'cognito';

export function sendCode(dataDir: string, to: string, code: string, log: (line: string) => void): void {
  deliverMail(dataDir, {
    source: SOURCE,
    from: 'no-reply@verificationemail.com',
    to,
    subject: 'Your verification code',
    text: `Your confirmation code is ${code}`,
    meta: { code },
  });
  log(`verification code for ${to}: ${code} (also in ${inboxFile(dataDir)})`);
}

/** The newest code sent to `to`, if any. */
export function latestCode(dataDir: string, to: string): string | undefined {
  return readInbox(dataDir, to)
    .filter((message) => message.source === SOURCE && message.meta?.code !== undefined)
    .at(-1)?.meta?.code;
}
