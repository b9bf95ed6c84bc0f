import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../../functions/lib/aws/client-options';
import { describeProbeFailure, probe } from '../http/probe';

/**
 * Where the pipeline sends photos: a running endpoint (the local stack, or anything speaking the AWS APIs) or a
 * deployed stack on AWS. Either way the bucket, table and state machine come from the stack's CloudFormation
 * outputs, and the same clients do the work.
 */
export interface PipelineTarget {
  description: string;
  endpoint?: string;
  bucket: string;
  table: string;
  stateMachineArn: string;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  sfn: SFNClient;
  /** What the clients above were made with, for another client of the same target. */
  clientConfig: Record<string, unknown>;
  close(): void;
}

export class EndpointUnreachable extends Error {
  override readonly name = 'EndpointUnreachable';
}

export class StackNotFound extends Error {
  override readonly name = 'StackNotFound';
}

export const OUTPUT_NAMES = {
  bucket: 'PhotoRepoBucketName',
  table: 'ImageMetadataTableName',
  stateMachineArn: 'ImageProcessingStateMachineArn',
} as const;

export interface TargetOptions {
  /** An endpoint URL; undefined means AWS itself. */
  endpoint?: string;
  /** Stack name; undefined means the one stack the endpoint serves. */
  stackName?: string;
  region?: string;
}

/** Any HTTP answer means something listens; a refused or unresolvable connection is a clear error. */
export async function checkReachable(endpoint: string, timeoutMs = 5000): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointUnreachable(`"${endpoint}" is not a URL (expected e.g. http://localhost:4566)`);
  }
  try {
    await probe(new URL('/_local/health', url), timeoutMs);
  } catch (error) {
    throw new EndpointUnreachable(
      `Cannot reach ${endpoint} (${describeProbeFailure(error)}). Start the local stack with \`npm start\`, or leave out --endpoint (and AWS_ENDPOINT_URL) to run one inside the pipeline.`,
    );
  }
}

export async function resolveTarget(options: TargetOptions): Promise<PipelineTarget> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const local = options.endpoint !== undefined;
  const base = {
    ...clientOptions,
    region,
    maxAttempts: 3,
    ...(local ? { endpoint: options.endpoint } : {}),
    // A local endpoint accepts any key; a developer without AWS credentials should not need fake ones.
    ...(local && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
  if (options.endpoint) await checkReachable(options.endpoint);
  const cloudFormation = new CloudFormationClient(base);
  let outputs: Record<string, string>;
  try {
    const answer = await cloudFormation.send(
      new DescribeStacksCommand(options.stackName ? { StackName: options.stackName } : {}),
    );
    const stack = answer.Stacks?.[0];
    if (!stack) throw new StackNotFound(`No stack at ${options.endpoint ?? `AWS (${region})`}`);
    outputs = Object.fromEntries(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof StackNotFound) throw error;
    const name = (error as Error).name;
    if (name === 'ValidationError')
      throw new StackNotFound(
        `Stack ${options.stackName} does not exist at ${options.endpoint ?? `AWS (${region})`}: ${(error as Error).message}`,
      );
    if (name === 'CredentialsProviderError')
      throw new StackNotFound(
        `No AWS credentials to look up stack ${options.stackName ?? ''} (configure a profile, or use --endpoint for the local stack)`,
      );
    throw new StackNotFound(
      `Cannot read the stack outputs at ${options.endpoint ?? `AWS (${region})`}: ${name}: ${(error as Error).message}`,
    );
  } finally {
    cloudFormation.destroy();
  }
  const missing = Object.values(OUTPUT_NAMES).filter((name) => !outputs[name]);
  if (missing.length > 0)
    throw new StackNotFound(`The stack has no output ${missing.join(', ')} (is it this project's stack?)`);

  const s3 = new S3Client({ ...base, forcePathStyle: local });
  const dynamodb = new DynamoDBClient(base);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const sfn = new SFNClient(base);
  return {
    description: options.endpoint
      ? `${options.endpoint}${options.stackName ? ` (stack ${options.stackName})` : ''}`
      : `stack ${options.stackName} in ${region}`,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    bucket: outputs[OUTPUT_NAMES.bucket] as string,
    table: outputs[OUTPUT_NAMES.table] as string,
    stateMachineArn: outputs[OUTPUT_NAMES.stateMachineArn] as string,
    s3,
    documents,
    sfn,
    clientConfig: base,
    close() {
      s3.destroy();
      documents.destroy();
      dynamodb.destroy();
      sfn.destroy();
    },
  };
}
