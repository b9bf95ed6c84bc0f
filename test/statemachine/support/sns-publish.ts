import { LambdaTaskError } from '../../../local/stepfunctions/lambda-integration';

/**
 * Step Functions' `arn:aws:states:::sns:publish` integration, faked for executions in this process: it checks the
 * Parameters as SNS's Publish would (a topic, a message, a subject SNS accepts, attributes of type String with a value)
 * and records what it published, or fails as the integration does (`SNS.<Exception>`) when a test says so.
 */
export interface PublishedMessage {
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
}

export class FakeSnsPublish {
  readonly published: PublishedMessage[] = [];
  /** Publish attempts, failed ones included. */
  attempts = 0;
  /** Errors the next attempts fail with, in order (e.g. SNS.ThrottledException then success). */
  failures: string[] = [];

  reset(): void {
    this.published.length = 0;
    this.attempts = 0;
    this.failures = [];
  }

  readonly publish = async (parameters: unknown): Promise<{ MessageId: string }> => {
    this.attempts += 1;
    const failure = this.failures.shift();
    if (failure) throw new LambdaTaskError(failure, `${failure} (test; Service: AmazonSNS; Status Code: 400)`);
    const message = parameters as PublishedMessage;
    const problems = publishProblems(message);
    if (problems.length > 0) {
      throw new LambdaTaskError('SNS.InvalidParameterException', `Invalid parameter: ${problems.join('; ')}`);
    }
    this.published.push(message);
    return { MessageId: `00000000-0000-4000-8000-${String(this.published.length).padStart(12, '0')}` };
  };
}

/** What SNS's Publish refuses, as far as this workflow's messages go. */
export function publishProblems(message: PublishedMessage): string[] {
  const problems: string[] = [];
  if (!/^arn:aws:sns:[\w-]+:\d{12}:[\w-]+$/.test(String(message.TopicArn))) problems.push('TopicArn');
  if (typeof message.Message !== 'string' || message.Message === '') problems.push('Message is empty');
  else if (Buffer.byteLength(message.Message) > 256 * 1024) problems.push('Message is over 256 KB');
  if (message.Subject !== undefined && !/^[\x20-\x7e]{1,99}$/.test(message.Subject)) {
    problems.push(`Subject ${JSON.stringify(message.Subject)}`);
  }
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value?.DataType !== 'String' || typeof value.StringValue !== 'string' || value.StringValue === '') {
      problems.push(`MessageAttributes.${name}`);
    }
  }
  return problems;
}
