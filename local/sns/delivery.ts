import http from 'node:http';
import https from 'node:https';
import { isIPv4 } from 'node:net';
import { deliverMail } from '../inbox';
import { matchesPattern } from '../events/pattern';
import { filterableAttributes, type MessageAttribute } from './messages';

/**
 * Where a published message goes: an e-mail subscription's copy lands in the stack's inbox (../inbox.ts), an
 * http(s) subscription's is POSTed, in SNS's JSON envelope, to a loopback URL (any other host is refused: the local
 * stack sends nothing off the machine).
 */
export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope?: string;
  rawMessageDelivery: boolean;
  fromTemplate: boolean;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  messageAttributes: Record<string, MessageAttribute>;
  timestamp: string;
}

export const DELIVERED_PROTOCOLS = ['email', 'email-json', 'http', 'https'];
const MAIL_FROM = 'AWS Notifications <no-reply@sns.amazonaws.com>';
const ATTEMPTS = 3;
const TIMEOUT_MS = 5000;

/** http(s) to 127.0.0.0/8, ::1 or localhost only; names are not resolved, so no DNS answer can point elsewhere. */
export function isLoopbackUrl(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Whether the subscription's filter policy (if any) lets the message through. */
export function passesFilter(subscription: Subscription, message: PublishedMessage): boolean {
  if (!subscription.filterPolicy) return true;
  if (subscription.filterPolicyScope === 'MessageBody') {
    try {
      return matchesPattern(subscription.filterPolicy, JSON.parse(message.message));
    } catch {
      return false;
    }
  }
  return matchesPattern(subscription.filterPolicy, filterableAttributes(message.messageAttributes));
}

/** The text for this protocol: with MessageStructure json, its entry for the protocol or its default. */
function messageFor(message: PublishedMessage, protocol: string): string {
  if (message.messageStructure !== 'json') return message.message;
  const structured = JSON.parse(message.message) as Record<string, string>;
  return structured[protocol] ?? structured.default ?? '';
}

/** Each attribute's value as text: a String's, Number's or String.Array's StringValue, a Binary's base64. */
function attributeValues(attributes: Record<string, MessageAttribute>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? value.BinaryValue ?? '']),
  );
}

/** SNS's notification envelope (no Signature: the local stack has no AWS signing key). */
export function envelope(message: PublishedMessage, subscription: Subscription, endpoint: string): object {
  const values = attributeValues(message.messageAttributes);
  const attributes = Object.fromEntries(
    Object.entries(message.messageAttributes).map(([name, value]) => [
      name,
      { Type: value.DataType, Value: values[name] ?? '' },
    ]),
  );
  return {
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    ...(message.subject !== undefined ? { Subject: message.subject } : {}),
    Message: messageFor(message, subscription.protocol),
    Timestamp: message.timestamp,
    UnsubscribeURL: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  };
}

export interface DeliveryContext {
  dataDir: string;
  endpoint: string;
  log(line: string): void;
}

export async function deliver(message: PublishedMessage, subscription: Subscription, context: DeliveryContext) {
  const body = subscription.rawMessageDelivery
    ? messageFor(message, subscription.protocol)
    : JSON.stringify(envelope(message, subscription, context.endpoint));
  if (subscription.protocol === 'email' || subscription.protocol === 'email-json') {
    deliverMail(context.dataDir, {
      source: 'sns',
      from: MAIL_FROM,
      to: subscription.endpoint,
      subject: message.subject ?? 'AWS Notification Message',
      text: subscription.protocol === 'email' ? messageFor(message, 'email') : body,
      meta: { topicArn: message.topicArn, subscriptionArn: subscription.arn, messageId: message.messageId },
      ...(Object.keys(message.messageAttributes).length > 0
        ? { attributes: attributeValues(message.messageAttributes) }
        : {}),
    });
    return;
  }
  if (!DELIVERED_PROTOCOLS.includes(subscription.protocol) || !isLoopbackUrl(subscription.endpoint)) {
    context.log(`not delivered to ${subscription.protocol}:${subscription.endpoint} (not served locally)`);
    return;
  }
  const headers = {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': message.messageId,
    'x-amz-sns-topic-arn': message.topicArn,
    'x-amz-sns-subscription-arn': subscription.arn,
    ...(subscription.rawMessageDelivery ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
  };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const status = await post(subscription.endpoint, body, headers).catch((error: Error) => error);
    if (typeof status === 'number' && status >= 200 && status < 300) return;
    const why = typeof status === 'number' ? `HTTP ${status}` : status.message;
    if (attempt === ATTEMPTS) context.log(`delivery to ${subscription.endpoint} failed ${ATTEMPTS} times: ${why}`);
    else await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
  }
}

function post(endpoint: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = endpoint.startsWith('https:') ? https : http;
    const request = client.request(
      endpoint,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: TIMEOUT_MS },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
