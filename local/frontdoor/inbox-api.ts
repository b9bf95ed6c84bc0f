import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTVerifyGetKey } from 'jose';
import { isPreflight, preflightHeaders, responseCorsHeaders } from '../apigateway/cors';
import type { CorsModel, JwtAuthorizerModel } from '../apigateway/http-api-model';
import { authorizeJwt } from '../apigateway/jwt-authorizer';
import { readInbox, type InboxMessage } from '../inbox';

/**
 * The signed-in user's notifications, read from the stack's inbox (../inbox.ts): the messages SNS delivered to an
 * e-mail subscription whose `userId` attribute is the caller's token's `sub`, one per published message (several
 * e-mail subscriptions each get a copy), newest first. Local only: on AWS the same messages arrive by e-mail. It sits
 * behind the HTTP API's own JWT authorizer (../apigateway/jwt-authorizer.ts) and CORS configuration, and answers as
 * API Gateway does ({"message": "Unauthorized"}), so the web app reads it like an API route.
 */
export const INBOX_PREFIX = '/_inbox';
export const INBOX_MESSAGES_PATH = `${INBOX_PREFIX}/messages`;
/** The newest this many; a local inbox with more is read in full but answered in part. */
export const MAX_NOTIFICATIONS = 100;

export interface UserNotification {
  /** The SNS MessageId. */
  messageId: string;
  /** When SNS delivered it (ISO 8601). */
  time: string;
  subject: string;
  text: string;
  /** The message attributes (status, userId, albumId, imageId, fileName, faceDetected, flagged). */
  attributes: Record<string, string>;
}

export interface InboxAnswer {
  notifications: UserNotification[];
  /** E-mail subscriptions on the stack's topics: without one, nothing reaches the inbox. */
  emailSubscriptions: number;
}

export interface InboxApiOptions {
  dataDir: string;
  /** The HTTP API's JWT authorizer: the same issuer, audience and identity header as /_api. */
  authorizer: JwtAuthorizerModel;
  keys: JWTVerifyGetKey;
  cors?: CorsModel;
  emailSubscriptions(): number;
  log(line: string): void;
}

/** The SNS messages of one user's photos in an inbox, each once, newest first. */
export function userNotifications(inbox: readonly InboxMessage[], userId: string): UserNotification[] {
  const seen = new Set<string>();
  const mine: UserNotification[] = [];
  for (const mail of inbox) {
    const messageId = mail.meta?.messageId;
    if (mail.source !== 'sns' || !messageId || mail.attributes?.userId !== userId || seen.has(messageId)) continue;
    seen.add(messageId);
    mine.push({ messageId, time: mail.time, subject: mail.subject, text: mail.text, attributes: mail.attributes });
  }
  return mine.reverse().slice(0, MAX_NOTIFICATIONS);
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function createInboxApi(options: InboxApiOptions) {
  const { authorizer, cors } = options;

  async function serve(req: IncomingMessage): Promise<Answer> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== INBOX_MESSAGES_PATH) return { status: 404, body: { message: 'Not Found' } };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, body: { message: 'Method Not Allowed' }, headers: { allow: 'GET, HEAD' } };
    const identity = req.headersDistinct[authorizer.header]?.[0];
    const result = await authorizeJwt(identity, {
      issuer: authorizer.issuer,
      audience: authorizer.audience,
      keys: options.keys,
      scopes: [],
    });
    if (!result.ok) {
      options.log(`GET ${INBOX_MESSAGES_PATH}: ${result.status} (${result.reason})`);
      return { status: result.status, body: { message: result.message } };
    }
    // The user is the token's subject, never a value of the request.
    const userId = result.claims.sub;
    if (!userId) return { status: 401, body: { message: 'Unauthorized' } };
    const answer: InboxAnswer = {
      notifications: userNotifications(readInbox(options.dataDir), userId),
      emailSubscriptions: options.emailSubscriptions(),
    };
    return { status: 200, body: answer };
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse): void {
      if (cors && isPreflight(req.method, req.headers)) {
        res.writeHead(204, preflightHeaders(cors, req.headers));
        res.end();
        return;
      }
      const corsHeaders = cors ? responseCorsHeaders(cors, req.headers.origin) : {};
      serve(req)
        .catch((error: unknown): Answer => {
          options.log(`${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
          return { status: 500, body: { message: 'Internal Server Error' } };
        })
        .then(({ status, body, headers }) => {
          const text = JSON.stringify(body);
          res.writeHead(status, {
            ...headers,
            ...corsHeaders,
            'content-type': 'application/json',
            'cache-control': 'no-store',
            'content-length': Buffer.byteLength(text),
          });
          res.end(req.method === 'HEAD' ? undefined : text);
        });
    },
  };
}
