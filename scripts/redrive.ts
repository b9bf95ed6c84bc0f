import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { clientOptions } from '../functions/lib/aws/client-options';
import { parseArgs, quietNodeVersionWarning, stringOption, UsageError } from '../local/cli/args';

/**
 * npm run redrive -- --stack NAME [--region R] | --local [--endpoint URL] [--json]: replays S3Trigger's dead-letter
 * queue. Each message is an upload event EventBridge could not deliver, or one whose asynchronous invocation failed
 * every retry: its body is the original EventBridge event, or (a Lambda failure record, as an on-failure destination
 * writes it) holds it under `requestPayload`. Each is re-sent as the rule sends it, an asynchronous invocation of
 * S3Trigger with the event, and deleted once Lambda accepted it; what cannot be read or re-sent stays in the queue.
 * It stops when a receive comes back empty (what it received is invisible meanwhile, so nothing is read twice) and
 * reports the counts. Queue and function come from the stack's outputs (S3TriggerDeadLetterQueueUrl,
 * S3TriggerFunctionName), on AWS or on the local stack alike. A replayed event is idempotent: S3Trigger starts no
 * second execution for an upload that has one (docs/architecture.md, "Reconciliation and redrive").
 */
export interface RedriveOptions {
  /** The CloudFormation stack; absent for the local stack, which answers for its one stack. */
  stackName?: string;
  region?: string;
  endpoint?: string;
  say?(line: string): void;
}

export interface RedriveReport {
  queueUrl: string;
  functionName: string;
  received: number;
  redriven: number;
  /** Messages left in the queue: not an event, or Lambda refused the invocation. */
  kept: number;
  /** ApproximateNumberOfMessages after the run (visible ones; kept messages come back after their visibility). */
  remaining: number;
}

export class RedriveFailed extends Error {
  override readonly name = 'RedriveFailed';
}

/** Seconds a received message stays invisible: longer than one run takes to re-send a batch. */
const VISIBILITY_SECONDS = 120;

export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const say = options.say ?? (() => undefined);
  const base = clientBase(options);
  const outputs = await stackOutputs(base, options.stackName);
  const queueUrl = outputs.S3TriggerDeadLetterQueueUrl;
  const functionName = outputs.S3TriggerFunctionName;
  if (!queueUrl || !functionName)
    throw new RedriveFailed('The stack has no S3TriggerDeadLetterQueueUrl and S3TriggerFunctionName outputs');
  const sqs = new SQSClient(base);
  const lambda = new LambdaClient(base);
  const report: RedriveReport = { queueUrl, functionName, received: 0, redriven: 0, kept: 0, remaining: 0 };
  try {
    for (;;) {
      const batch = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      const messages = batch.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        report.received += 1;
        if (await resend(lambda, functionName, message, say)) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
          report.redriven += 1;
        } else report.kept += 1;
      }
    }
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    report.remaining = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    return report;
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
}

/**
 * The upload event a dead-letter message carries: the body itself (an EventBridge event, what the rule's DLQ and
 * Lambda's DeadLetterQueue hold), or the `requestPayload` of a Lambda failure record; undefined for anything else.
 */
export function originalEventOf(body: string | undefined): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const record = parsed as { requestContext?: unknown; requestPayload?: unknown } | null;
  const event = record && typeof record === 'object' && record.requestContext ? record.requestPayload : parsed;
  const candidate = event as { source?: unknown; 'detail-type'?: unknown; detail?: unknown } | null;
  if (!candidate || typeof candidate !== 'object') return undefined;
  if (typeof candidate.source !== 'string' || typeof candidate['detail-type'] !== 'string') return undefined;
  return candidate as Record<string, unknown>;
}

async function resend(
  lambda: LambdaClient,
  functionName: string,
  message: Message,
  say: (line: string) => void,
): Promise<boolean> {
  const event = originalEventOf(message.Body);
  if (!event) {
    say(`kept ${message.MessageId}: not an EventBridge event nor a Lambda failure record`);
    return false;
  }
  try {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    if (answer.StatusCode === 202) {
      say(`re-sent ${String(event['detail-type'])} ${describe(event)}`);
      return true;
    }
    say(`kept ${message.MessageId}: Lambda answered ${answer.StatusCode}`);
  } catch (error) {
    say(`kept ${message.MessageId}: ${(error as Error).name}: ${(error as Error).message}`);
  }
  return false;
}

function describe(event: Record<string, unknown>): string {
  const key = (event.detail as { object?: { key?: unknown } } | undefined)?.object?.key;
  return typeof key === 'string' ? key : String(event.id ?? '');
}

function clientBase(options: RedriveOptions): Record<string, unknown> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return {
    ...clientOptions,
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // A local endpoint accepts any key; a developer without AWS credentials should not need fake ones.
    ...(options.endpoint && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}

async function stackOutputs(base: Record<string, unknown>, stackName?: string): Promise<Record<string, string>> {
  const cloudFormation = new CloudFormationClient(base);
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand(stackName ? { StackName: stackName } : {}));
    const stack = answer.Stacks?.[0];
    if (!stack) throw new RedriveFailed(`No stack ${stackName ?? ''}`);
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if (error instanceof RedriveFailed) throw error;
    throw new RedriveFailed(`Cannot read the stack: ${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    cloudFormation.destroy();
  }
}

const USAGE = 'Usage: npm run redrive -- --stack NAME [--region REGION] [--json] | --local [--endpoint URL] [--json]\n';

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ['stack', 'region', 'endpoint'], flags: ['local', 'json', 'help'] });
  if (args.options.help) return void process.stdout.write(USAGE);
  const stackName = stringOption(args, 'stack');
  const local = args.options.local === true;
  if (local === (stackName !== undefined)) throw new UsageError('Give either --stack NAME or --local');
  if (!local && stringOption(args, 'endpoint')) throw new UsageError('--endpoint goes with --local');
  const endpoint = local ? (stringOption(args, 'endpoint') ?? 'http://127.0.0.1:4566') : undefined;
  const json = args.options.json === true;
  const region = stringOption(args, 'region');
  const report = await redrive({
    ...(stackName ? { stackName } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(json ? {} : { say: (line: string) => process.stdout.write(`${line}\n`) }),
  });
  process.stdout.write(
    json
      ? `${JSON.stringify(report)}\n`
      : `Received ${report.received}, re-sent ${report.redriven}, kept ${report.kept}; ${report.remaining} visible in ${report.queueUrl}\n`,
  );
  if (report.kept > 0) process.exitCode = 1;
}

if (require.main === module) {
  quietNodeVersionWarning();
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
    if (error instanceof UsageError) process.stderr.write(USAGE);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
