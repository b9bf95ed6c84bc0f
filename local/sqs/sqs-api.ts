import { ServiceError } from '../http/respond';
import type { SqsQueues } from './queues';

/**
 * SQS's JSON protocol (X-Amz-Target AmazonSQS.<Operation>, application/x-amz-json-1.0, what @aws-sdk/client-sqs
 * speaks since it left the query protocol): the operations a dead-letter queue and its redrive need.
 */
export function sqsOperation(queues: SqsQueues, operation: string, body: Record<string, unknown>): unknown {
  const queue = () => queues.queue(body.QueueUrl);
  switch (operation) {
    case 'SendMessage': {
      const sent = queues.send(queue(), typeof body.MessageBody === 'string' ? body.MessageBody : '');
      return { MessageId: sent.messageId, MD5OfMessageBody: sent.md5OfBody };
    }
    case 'ReceiveMessage': {
      const max = integerIn(body.MaxNumberOfMessages, 1, 10, 1, 'MaxNumberOfMessages');
      const visibility = integerIn(body.VisibilityTimeout, 0, 43_200, 30, 'VisibilityTimeout');
      return { Messages: queues.receive(queue(), max, visibility) };
    }
    case 'DeleteMessage':
      queues.delete(queue(), body.ReceiptHandle);
      return {};
    case 'GetQueueAttributes': {
      const target = queue();
      const { visible, inFlight } = queues.counts(target);
      return {
        Attributes: {
          QueueArn: target.arn,
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesNotVisible: String(inFlight),
        },
      };
    }
    case 'GetQueueUrl':
      return { QueueUrl: queues.queue(body.QueueName).url };
    default:
      throw new ServiceError('UnsupportedOperation', `The local SQS does not implement ${operation}`);
  }
}

function integerIn(value: unknown, min: number, max: number, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    throw new ServiceError('InvalidParameterValue', `${name} must be an integer from ${min} to ${max}.`);
  return value as number;
}
