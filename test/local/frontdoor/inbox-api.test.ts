import { expect } from 'chai';
import { rmSync } from 'node:fs';
import type { webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import {
  createInboxApi,
  INBOX_MESSAGES_PATH,
  MAX_NOTIFICATIONS,
  userNotifications,
  type InboxAnswer,
} from '../../../local/frontdoor/inbox-api';
import { deliverMail, readInbox } from '../../../local/inbox';
import { tempDir } from '../../support/test-stack';

type CryptoKey = webcrypto.CryptoKey;

/**
 * /_inbox/messages with tokens signed here by a key of the issuer's JWKS (or another): each user gets the
 * notifications whose userId attribute is their token's sub, and nothing without a token the /_api authorizer takes.
 */
describe('inbox API (/_inbox/messages)', () => {
  const issuer = 'http://localhost:4566/_auth';
  const clientId = 'UserPoolClient';
  const webOrigin = 'http://localhost:4566';
  const now = () => Math.floor(Date.now() / 1000);
  let dataDir: string;
  let server: http.Server;
  let url: string;
  let issuerKey: CryptoKey;
  let strangerKey: CryptoKey;
  const logged: string[] = [];

  const token = (claims: JWTPayload, key: CryptoKey = issuerKey) =>
    new SignJWT({ iss: issuer, client_id: clientId, token_use: 'access', iat: now() - 5, exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(key);
  const notify = (userId: string | undefined, subject: string, to = 'owner@example.com', messageId = subject) =>
    deliverMail(dataDir, {
      source: 'sns',
      from: 'AWS Notifications <no-reply@sns.amazonaws.com>',
      to,
      subject,
      text: `File: ${subject}`,
      meta: { topicArn: 'arn:aws:sns:us-east-1:000000000000:NotificationTopic', subscriptionArn: 's', messageId },
      ...(userId === undefined ? {} : { attributes: { userId, status: 'SUCCEEDED', imageId: `id-${subject}` } }),
    });
  const get = (headers: Record<string, string> = {}, path = INBOX_MESSAGES_PATH, method = 'GET') =>
    fetch(`${url}${path}`, { method, headers });
  const asUser = async (sub: string, path?: string) => {
    const response = await get({ authorization: `Bearer ${await token({ sub })}` }, path);
    expect(response.status).to.equal(200);
    return (await response.json()) as InboxAnswer;
  };

  before(async () => {
    dataDir = tempDir('inbox-api-');
    const pair = await generateKeyPair('RS256');
    issuerKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] });
    const api = createInboxApi({
      dataDir,
      authorizer: { name: 'Cognito', issuer, audience: [clientId], header: 'authorization' },
      keys,
      cors: {
        allowOrigins: [webOrigin],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: [],
        maxAge: 600,
        allowCredentials: false,
      },
      emailSubscriptions: () => 1,
      log: (line) => logged.push(line),
    });
    server = http.createServer((req, res) => api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    notify('alice-sub', 'Photo processed: a1.jpg');
    notify('bob-sub', 'Photo processed: b1.jpg');
    notify(undefined, 'A message of another publisher');
    deliverMail(dataDir, { source: 'cognito', from: 'pool', to: 'alice@example.com', subject: 'Code', text: '123456' });
    notify('alice-sub', 'Photo not supported: a2.gif');
    // A second e-mail subscription gets its own copy of the same message: the user sees it once.
    notify('alice-sub', 'Photo not supported: a2.gif', 'other@example.com');
  });
  after(() => {
    server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers each user the notifications of their own photos, newest first, each message once, and the stack's e-mail subscriptions", async () => {
    const alice = await asUser('alice-sub');
    expect(alice.notifications.map((item) => item.subject)).to.deep.equal([
      'Photo not supported: a2.gif',
      'Photo processed: a1.jpg',
    ]);
    expect(alice.notifications[1]).to.deep.include({
      messageId: 'Photo processed: a1.jpg',
      text: 'File: Photo processed: a1.jpg',
      attributes: { userId: 'alice-sub', status: 'SUCCEEDED', imageId: 'id-Photo processed: a1.jpg' },
    });
    expect(alice.notifications[1]?.time).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(alice.emailSubscriptions).to.equal(1);
    const bob = await asUser('bob-sub');
    expect(bob.notifications.map((item) => item.subject)).to.deep.equal(['Photo processed: b1.jpg']);
    expect((await asUser('carol-sub')).notifications).to.deep.equal([]);
  });

  it('takes the user from the token only: a userId in the query changes nothing', async () => {
    const bob = await asUser('bob-sub', `${INBOX_MESSAGES_PATH}?userId=alice-sub&sub=alice-sub`);
    expect(bob.notifications.map((item) => item.attributes.userId)).to.deep.equal(['bob-sub']);
  });

  it('answers 401 without a token and for tokens the /_api authorizer refuses', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Bearer ${await token({ sub: 'alice-sub' }, strangerKey)}` },
      { authorization: `Bearer ${await token({ sub: 'alice-sub', exp: now() - 60 })}` },
      { authorization: `Bearer ${await token({ sub: 'alice-sub', iss: 'http://localhost:9999/_auth' })}` },
      { authorization: `Bearer ${await token({ sub: 'alice-sub', client_id: 'AnotherClient' })}` },
      { authorization: `Bearer ${await token({ sub: 'alice-sub', aud: 'AnotherClient' })}` },
      // Signed, but the payload of another token: the signature no longer matches.
      { authorization: `Bearer ${tampered(await token({ sub: 'bob-sub' }))}` },
      // A valid token without a subject names no user.
      { authorization: `Bearer ${await token({})}` },
    ];
    for (const headers of refused) {
      const response = await get(headers);
      expect(response.status, JSON.stringify(headers)).to.equal(401);
      expect(await response.json()).to.deep.equal({ message: 'Unauthorized' });
    }
    expect(logged.some((line) => line.includes('401'))).to.equal(true);
  });

  it('answers CORS like /_api: a preflight without a token, the allowed origin on answers, no header for others', async () => {
    const preflight = await fetch(`${url}${INBOX_MESSAGES_PATH}`, {
      method: 'OPTIONS',
      headers: {
        origin: webOrigin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(webOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).to.equal('authorization,content-type');
    const answer = await get({ origin: webOrigin, authorization: `Bearer ${await token({ sub: 'bob-sub' })}` });
    expect(answer.headers.get('access-control-allow-origin')).to.equal(webOrigin);
    expect(answer.headers.get('cache-control')).to.equal('no-store');
    const unauthorized = await get({ origin: webOrigin });
    expect(unauthorized.headers.get('access-control-allow-origin'), 'a 401 the page can read').to.equal(webOrigin);
    const other = await get({
      origin: 'http://evil.example',
      authorization: `Bearer ${await token({ sub: 'bob-sub' })}`,
    });
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('is read-only and has one path: 405 for a write, 404 elsewhere', async () => {
    const auth = { authorization: `Bearer ${await token({ sub: 'alice-sub' })}` };
    const posted = await get(auth, INBOX_MESSAGES_PATH, 'POST');
    expect(posted.status).to.equal(405);
    expect(posted.headers.get('allow')).to.equal('GET, HEAD');
    expect((await get(auth, '/_inbox/messages/1')).status).to.equal(404);
    expect((await get(auth, '/_inbox')).status).to.equal(404);
    expect(readInbox(dataDir)).to.have.length(6);
  });

  it('keeps the newest notifications when a user has more than it answers', () => {
    const inbox = Array.from({ length: MAX_NOTIFICATIONS + 5 }, (_, index) => ({
      id: String(index),
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
      source: 'sns',
      from: 'sns',
      to: 'owner@example.com',
      subject: `message ${index}`,
      text: '',
      meta: { messageId: `m${index}` },
      attributes: { userId: 'u' },
    }));
    const answered = userNotifications(inbox, 'u');
    expect(answered).to.have.length(MAX_NOTIFICATIONS);
    expect(answered[0]?.subject).to.equal(`message ${MAX_NOTIFICATIONS + 4}`);
    expect(answered.at(-1)?.subject).to.equal('message 5');
  });
});

/** The token with the payload of another one of the same issuer: header and signature of the first. */
function tampered(jwt: string): string {
  const [header, , signature] = jwt.split('.');
  const payload = Buffer.from(JSON.stringify({ sub: 'alice-sub' })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
