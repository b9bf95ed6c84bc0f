import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../http/respond';
import type { QueueModel } from '../model/queues';

/**
 * The template's SQS queues, kept under <data>/sqs/ (one JSON file per queue, rewritten on every change), so what the
 * dead-letter queues hold survives a restart. What `npm run redrive -- --local` needs: send, receive with a
 * visibility timeout, delete by receipt handle, and the counts; no FIFO, no long polling, no redrive policy.
 */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentTimestamp: number;
  receiveCount: number;
  /** Milliseconds since the epoch before which a received message is not received again. */
  invisibleUntil: number;
  receiptHandle?: string;
  attributes: Record<string, string>;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}

const DEFAULT_VISIBILITY_SECONDS = 30;
const MAX_BODY_BYTES = 256 * 1024;

export class SqsQueues {
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly directory: string;

  constructor(
    private readonly queues: QueueModel[],
    dataDir: string,
  ) {
    this.directory = path.join(dataDir, 'sqs');
    mkdirSync(this.directory, { recursive: true });
    for (const queue of queues) this.messages.set(queue.name, this.load(queue.name));
  }

  /** The queue an ARN, a URL (any host: clients may address it as localhost) or a name designates. */
  queue(designation: unknown): QueueModel {
    const text = String(designation ?? '');
    const name = text.startsWith('arn:') ? text.split(':').at(-1) : text.split('/').at(-1);
    const queue = this.queues.find((candidate) => candidate.name === name);
    if (!queue) throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  has(arn: string): boolean {
    return this.queues.some((queue) => queue.arn === arn);
  }

  send(queue: QueueModel, body: string, attributes: Record<string, string> = {}): StoredMessage {
    if (body === '' || Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
      throw new ServiceError('InvalidParameterValue', `A message body must be 1 to ${MAX_BODY_BYTES} bytes long.`);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
      sentTimestamp: Date.now(),
      receiveCount: 0,
      invisibleUntil: 0,
      attributes,
    };
    this.list(queue).push(message);
    this.save(queue);
    return message;
  }

  receive(queue: QueueModel, maxMessages = 1, visibilitySeconds = DEFAULT_VISIBILITY_SECONDS): ReceivedMessage[] {
    const now = Date.now();
    const visible = this.list(queue)
      .filter((message) => message.invisibleUntil <= now)
      .slice(0, maxMessages);
    for (const message of visible) {
      message.receiveCount += 1;
      message.invisibleUntil = now + visibilitySeconds * 1000;
      message.receiptHandle = `${message.messageId}.${randomUUID()}`;
    }
    if (visible.length > 0) this.save(queue);
    return visible.map((message) => ({
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle as string,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      Attributes: {
        SentTimestamp: String(message.sentTimestamp),
        ApproximateReceiveCount: String(message.receiveCount),
      },
      ...(Object.keys(message.attributes).length > 0
        ? {
            MessageAttributes: Object.fromEntries(
              Object.entries(message.attributes).map(([name, value]) => [
                name,
                { DataType: 'String' as const, StringValue: value },
              ]),
            ),
          }
        : {}),
    }));
  }

  /** Deletes the message the handle was given for; a handle no message holds any more is refused, as SQS does. */
  delete(queue: QueueModel, receiptHandle: unknown): void {
    const list = this.list(queue);
    const index = list.findIndex((message) => message.receiptHandle === receiptHandle);
    if (index < 0) {
      const known = list.some((message) => message.messageId === String(receiptHandle).split('.')[0]);
      if (known) throw new ServiceError('ReceiptHandleIsInvalid', 'The receipt handle has expired.');
      return;
    }
    list.splice(index, 1);
    this.save(queue);
  }

  counts(queue: QueueModel): { visible: number; inFlight: number } {
    const now = Date.now();
    const list = this.list(queue);
    const visible = list.filter((message) => message.invisibleUntil <= now).length;
    return { visible, inFlight: list.length - visible };
  }

  private list(queue: QueueModel): StoredMessage[] {
    const list = this.messages.get(queue.name);
    if (list) return list;
    const created: StoredMessage[] = [];
    this.messages.set(queue.name, created);
    return created;
  }

  private file(name: string): string {
    return path.join(this.directory, `${name}.json`);
  }

  private load(name: string): StoredMessage[] {
    try {
      return JSON.parse(readFileSync(this.file(name), 'utf8')) as StoredMessage[];
    } catch {
      return [];
    }
  }

  private save(queue: QueueModel): void {
    const file = this.file(queue.name);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.list(queue)));
    renameSync(temp, file);
  }
}
