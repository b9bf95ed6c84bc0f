import {
  ListTopicsCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClientConfig,
} from '@aws-sdk/client-sns';
import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../http/respond';

/**
 * What the backend published about each upload, as `pipeline --json` reports it: the pipeline subscribes a loopback
 * HTTP endpoint of its own to every topic of the stack (local stacks only: AWS cannot reach it), keeps what arrives,
 * and gives each upload the messages whose `imageId` attribute is its id. It knows how many to wait for from the
 * execution's history: one per sns:publish task that succeeded.
 */
export interface Notification {
  subject: string | null;
  message: string;
  /** The message attributes, name -> value (SNS's StringValue; a binary one as its base64). */
  attributes: Record<string, string>;
}

interface Envelope {
  Type?: string;
  Subject?: string;
  Message?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

const WAIT_MS = 5000;

export class NotificationCollector {
  private readonly received: Notification[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions: string[] = [];

  private constructor(
    private readonly server: Server,
    private readonly sns: SNSClient,
  ) {}

  /** Listens on 127.0.0.1 and subscribes to every topic the endpoint's SNS lists. */
  static async start(clientConfig: SNSClientConfig): Promise<NotificationCollector> {
    const sink: { collector?: NotificationCollector } = {};
    const server = createServer((req, res) => {
      void readBody(req, 1024 * 1024).then(
        (body) => {
          sink.collector?.accept(body.toString('utf8'));
          res.writeHead(200).end();
        },
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const collector = new NotificationCollector(server, new SNSClient(clientConfig));
    sink.collector = collector;
    await collector.subscribeAll(`http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications`);
    return collector;
  }

  private async subscribeAll(endpoint: string): Promise<void> {
    let nextToken: string | undefined;
    do {
      const page = await this.sns.send(new ListTopicsCommand(nextToken ? { NextToken: nextToken } : {}));
      for (const topic of page.Topics ?? []) {
        const answer = await this.sns.send(
          new SubscribeCommand({
            TopicArn: topic.TopicArn,
            Protocol: 'http',
            Endpoint: endpoint,
            ReturnSubscriptionArn: true,
          }),
        );
        if (answer.SubscriptionArn) this.subscriptions.push(answer.SubscriptionArn);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }

  private accept(body: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(body) as Envelope;
    } catch {
      return;
    }
    if (envelope.Type !== 'Notification') return;
    this.received.push({
      subject: envelope.Subject ?? null,
      message: envelope.Message ?? '',
      attributes: Object.fromEntries(
        Object.entries(envelope.MessageAttributes ?? {}).map(([name, value]) => [name, value.Value]),
      ),
    });
    for (const wake of this.waiters) wake();
  }

  /** The messages for this upload, once as many have arrived as the execution published (5 s at most). */
  async forUpload(imageId: string, sfn: SFNClient, executionArn: string | null): Promise<Notification[]> {
    const expected = executionArn ? await publishedCount(sfn, executionArn) : 0;
    const mine = () => this.received.filter((notification) => notification.attributes.imageId === imageId);
    const deadline = Date.now() + WAIT_MS;
    while (mine().length < expected && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
    return mine();
  }

  /** Every message received so far. */
  all(): Notification[] {
    return [...this.received];
  }

  async close(): Promise<void> {
    await Promise.all(
      this.subscriptions.map((arn) =>
        this.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn })).catch(() => undefined),
      ),
    );
    this.sns.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** How many sns:publish tasks of the execution succeeded: the notifications it sent. */
export async function publishedCount(sfn: SFNClient, executionArn: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    count += (page.events ?? []).filter(
      (event) =>
        event.type === 'TaskSucceeded' &&
        event.taskSucceededEventDetails?.resourceType === 'sns' &&
        event.taskSucceededEventDetails.resource === 'publish',
    ).length;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}
