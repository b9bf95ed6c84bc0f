import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StackLog } from '../log';
import type { TopicModel } from '../model/topics';
import {
  deliver,
  DELIVERED_PROTOCOLS,
  isLoopbackUrl,
  passesFilter,
  type PublishedMessage,
  type Subscription,
} from './delivery';
import { checkPublish, checkTopicArn } from './messages';
import { invalidParameter, notFound } from './query-protocol';

/**
 * The template's SNS topics, their subscriptions (the template's, and those made through Subscribe, kept in
 * <data>/sns/subscriptions.json) and Publish, which answers at once and delivers in the background to every
 * subscription whose filter policy matches. Every publish is one line in the stack's log (`npm start` prints it).
 */
export interface SnsServiceOptions {
  topics: TopicModel[];
  dataDir: string;
  endpoint: string;
  log: StackLog;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** A stable id for a template subscription, so its ARN is the same on every start. */
function stableId(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class SnsService {
  private readonly topicsByArn: Map<string, TopicModel>;
  private readonly subscriptionsByArn = new Map<string, Subscription>();
  private readonly file: string;
  private readonly pending = new Set<Promise<void>>();
  private readonly context: { dataDir: string; endpoint: string; log(line: string): void };

  constructor(private readonly options: SnsServiceOptions) {
    this.topicsByArn = new Map(options.topics.map((topic) => [topic.arn, topic]));
    this.file = path.join(options.dataDir, 'sns', 'subscriptions.json');
    this.context = {
      dataDir: options.dataDir,
      endpoint: options.endpoint,
      log: (line) => options.log.line('sns', line),
    };
    for (const topic of options.topics)
      for (const model of topic.subscriptions) {
        const arn = `${topic.arn}:${stableId(`${model.logicalId ?? ''}|${model.protocol}|${model.endpoint}`)}`;
        this.subscriptionsByArn.set(arn, { ...model, arn, fromTemplate: true });
      }
    for (const saved of readSaved(this.file))
      if (this.topicsByArn.has(saved.topicArn)) this.subscriptionsByArn.set(saved.arn, saved);
  }

  topics(): TopicModel[] {
    return [...this.topicsByArn.values()];
  }

  subscriptions(topicArn?: unknown): Subscription[] {
    const only = topicArn === undefined ? undefined : this.topic(topicArn).arn;
    return [...this.subscriptionsByArn.values()].filter((item) => only === undefined || item.topicArn === only);
  }

  /** Validates, logs one line, answers the message id at once and delivers in the background. */
  publish(input: Parameters<typeof checkPublish>[0]): { messageId: string } {
    const request = checkPublish(input);
    const { name } = this.topic(request.topicArn);
    const message: PublishedMessage = { ...request, messageId: randomUUID(), timestamp: new Date().toISOString() };
    const attributes = Object.entries(request.messageAttributes)
      .map(([key, value]) => `${key}=${value.StringValue ?? '(binary)'}`)
      .join(' ');
    this.context.log(`${name}: ${JSON.stringify(request.subject ?? '')}${attributes ? ` ${attributes}` : ''}`);
    for (const subscription of this.subscriptionsByArn.values()) {
      if (subscription.topicArn !== request.topicArn || !passesFilter(subscription, message)) continue;
      const delivery = deliver(message, subscription, this.context).catch((error: unknown) =>
        this.context.log(`delivery to ${subscription.endpoint} failed: ${String(error)}`),
      );
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
    return { messageId: message.messageId };
  }

  /** Confirmed at once (no confirmation message locally); the same topic, protocol and endpoint give the same one. */
  subscribe(topicArn: unknown, protocol: unknown, endpoint: unknown, attributes: Record<string, string>): Subscription {
    const topic = this.topic(topicArn);
    const target = checkEndpoint(protocol, endpoint);
    const existing = this.subscriptions(topic.arn).find(
      (item) => item.protocol === protocol && item.endpoint === target,
    );
    if (existing) return existing;
    const filterPolicy = attributes.FilterPolicy ? parsePolicy(attributes.FilterPolicy) : undefined;
    const subscription: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      protocol: String(protocol),
      endpoint: target,
      ...(filterPolicy ? { filterPolicy } : {}),
      ...(attributes.FilterPolicyScope ? { filterPolicyScope: attributes.FilterPolicyScope } : {}),
      rawMessageDelivery: attributes.RawMessageDelivery === 'true',
      fromTemplate: false,
    };
    this.subscriptionsByArn.set(subscription.arn, subscription);
    this.save();
    return subscription;
  }

  unsubscribe(arn: unknown): void {
    if (typeof arn !== 'string' || !arn) throw invalidParameter('SubscriptionArn');
    if (this.subscriptionsByArn.delete(arn)) this.save();
  }

  topicAttributes(topicArn: unknown): Record<string, string> {
    const topic = this.topic(topicArn);
    return {
      TopicArn: topic.arn,
      DisplayName: '',
      Owner: topic.arn.split(':')[4] ?? '',
      Policy: '',
      SubscriptionsConfirmed: String(this.subscriptions(topic.arn).length),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    };
  }

  /** Resolves when every delivery started so far has ended. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private topic(topicArn: unknown): TopicModel {
    const found = this.topicsByArn.get(checkTopicArn(topicArn));
    if (!found) throw notFound('Topic does not exist');
    return found;
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const made = [...this.subscriptionsByArn.values()].filter((subscription) => !subscription.fromTemplate);
    writeFileSync(this.file, JSON.stringify(made, null, 2));
  }
}

function checkEndpoint(protocol: unknown, endpoint: unknown): string {
  if (typeof protocol !== 'string' || !protocol) throw invalidParameter('Protocol');
  if (!DELIVERED_PROTOCOLS.includes(protocol))
    throw invalidParameter(`Protocol: the local stack delivers only to ${DELIVERED_PROTOCOLS.join(', ')}`);
  const target = typeof endpoint === 'string' ? endpoint : '';
  if (protocol.startsWith('email')) {
    if (!EMAIL.test(target)) throw invalidParameter('Email address');
  } else if (!isLoopbackUrl(target) || !target.startsWith(`${protocol}:`)) {
    throw invalidParameter(
      `Endpoint: the local stack delivers ${protocol} only to loopback URLs (127.0.0.0/8, [::1], localhost)`,
    );
  }
  return target;
}

function parsePolicy(text: string): Record<string, unknown> {
  try {
    const policy = JSON.parse(text) as unknown;
    if (typeof policy === 'object' && policy !== null && !Array.isArray(policy))
      return policy as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalidParameter('FilterPolicy: failed to parse JSON');
}

function readSaved(file: string): Subscription[] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as Subscription[]).filter((item) => typeof item.arn === 'string');
  } catch {
    return [];
  }
}
