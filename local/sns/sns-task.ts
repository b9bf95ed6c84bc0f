import { randomUUID } from 'node:crypto';
import { SnsError } from './query-protocol';
import type { SnsService } from './sns-service';

/**
 * Step Functions' optimized integration `arn:aws:states:::sns:publish` on the local SNS: the state's Parameters
 * (TopicArn, Message, Subject, MessageAttributes, MessageStructure) are a Publish request; the result is what AWS's
 * integration returns (MessageId and the SDK's metadata); a refusal fails the state with SNS's error under the
 * integration's name (`SNS.NotFoundException`, `SNS.InvalidParameterException`, ...), so Retry and Catch match as on
 * AWS.
 */
export class SnsTaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export async function publishFromTask(sns: SnsService, parameters: unknown): Promise<unknown> {
  const request = (parameters ?? {}) as Record<string, unknown>;
  const requestId = randomUUID();
  try {
    const { messageId } = sns.publish({
      topicArn: request.TopicArn ?? request.TargetArn,
      message: request.Message,
      subject: request.Subject,
      messageStructure: request.MessageStructure,
      messageAttributes: (request.MessageAttributes ?? {}) as Record<string, unknown>,
    });
    return {
      MessageId: messageId,
      SdkHttpMetadata: {
        HttpHeaders: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
    };
  } catch (error) {
    if (!(error instanceof SnsError)) throw error;
    throw new SnsTaskError(
      `SNS.${error.name}`,
      `${error.message} (Service: AmazonSNS; Status Code: ${error.status}; Error Code: ${error.code}; Request ID: ${requestId}; Proxy: null)`,
    );
  }
}
