import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientOptions } from '../functions/lib/aws/client-options';
import { parseArgs, quietNodeVersionWarning, stringOption, UsageError } from '../local/cli/args';
import { buildWebApp, CACHE_REVALIDATE, WebBuildFailed, type WebFile } from '../web/build/build-app';
import { MissingOutputs, uploadMaxBytesOf, webConfigFromOutputs } from '../web/build/web-config';

/**
 * npm run deploy:web -- --stack NAME [--region R] [--endpoint URL]: builds the web app, writes its config.json from
 * the stack's outputs, uploads both to the stack's WebBucketName and invalidates WebDistributionId. With
 * --endpoint (the local stack, for tests) the same uploads go there and the invalidation is skipped: an endpoint
 * has no CloudFront.
 */
export interface DeployWebOptions {
  stackName: string;
  region?: string;
  endpoint?: string;
  say?(line: string): void;
}

export interface DeployWebResult {
  bucket: string;
  webAppUrl: string;
  uploaded: { key: string; contentType: string; cacheControl: string }[];
  invalidationId?: string;
}

export class DeployWebFailed extends Error {
  override readonly name = 'DeployWebFailed';
}

/** Uploads at once. */
const PARALLEL_PUTS = 6;

export async function deployWeb(options: DeployWebOptions): Promise<DeployWebResult> {
  const say = options.say ?? (() => undefined);
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const base = {
    ...clientOptions,
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // A local endpoint accepts any key; a developer without AWS credentials should not need fake ones.
    ...(options.endpoint && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
  const stack = await describeStack(base, options.stackName);
  const bucket = stack.outputs.WebBucketName;
  if (!bucket) throw new MissingOutputs(`Stack ${options.stackName} has no output WebBucketName`);
  const maxBytes = uploadMaxBytesOf(stack.parameters);
  const config = webConfigFromOutputs(stack.outputs, {
    region,
    onAws: options.endpoint === undefined,
    ...(maxBytes === undefined ? {} : { uploadMaxBytes: maxBytes }),
  });
  say(`Building the web app for ${config.auth.redirectUri}`);
  const built = await buildWebApp();
  const configFile: WebFile = {
    path: 'config.json',
    contents: Buffer.from(`${JSON.stringify(config, null, 2)}\n`),
    contentType: 'application/json',
    cacheControl: CACHE_REVALIDATE,
  };
  const s3 = new S3Client({ ...base, forcePathStyle: options.endpoint !== undefined });
  try {
    const uploaded = await uploadAll(s3, bucket, uploadOrder([...built, configFile]));
    say(`Uploaded ${uploaded.length} files to s3://${bucket}/`);
    const invalidationId = await invalidate(base, options, stack.outputs.WebDistributionId, say);
    return { bucket, webAppUrl: config.auth.redirectUri, uploaded, ...(invalidationId ? { invalidationId } : {}) };
  } finally {
    s3.destroy();
  }
}

/** Hashed assets first, then config.json, index.html last: a browser never gets a page whose files are not there. */
export function uploadOrder(files: WebFile[]): WebFile[] {
  const rank = (file: WebFile) => (file.path === 'index.html' ? 2 : file.path === 'config.json' ? 1 : 0);
  return [...files].sort((a, b) => rank(a) - rank(b));
}

async function uploadAll(s3: S3Client, bucket: string, files: WebFile[]) {
  const put = (file: WebFile) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: file.path,
        Body: file.contents,
        ContentType: file.contentType,
        CacheControl: file.cacheControl,
      }),
    );
  const assets = files.filter((file) => file.path !== 'index.html' && file.path !== 'config.json');
  for (let i = 0; i < assets.length; i += PARALLEL_PUTS) await Promise.all(assets.slice(i, i + PARALLEL_PUTS).map(put));
  for (const file of files.slice(assets.length)) await put(file);
  return files.map((file) => ({ key: file.path, contentType: file.contentType, cacheControl: file.cacheControl }));
}

async function invalidate(
  base: Record<string, unknown>,
  options: DeployWebOptions,
  distributionId: string | undefined,
  say: (line: string) => void,
): Promise<string | undefined> {
  if (options.endpoint) {
    say(`Skipped the CloudFront invalidation: ${options.endpoint} has no CloudFront`);
    return undefined;
  }
  if (!distributionId) throw new MissingOutputs(`Stack ${options.stackName} has no output WebDistributionId`);
  const cloudFront = new CloudFrontClient(base);
  try {
    const answer = await cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: {
          CallerReference: `deploy-web-${Date.now()}`,
          Paths: { Quantity: 3, Items: ['/', '/index.html', '/config.json'] },
        },
      }),
    );
    say(`Invalidated /, /index.html and /config.json on ${distributionId} (${answer.Invalidation?.Id ?? 'no id'})`);
    return answer.Invalidation?.Id;
  } finally {
    cloudFront.destroy();
  }
}

async function describeStack(base: Record<string, unknown>, stackName: string) {
  const cloudFormation = new CloudFormationClient(base);
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = answer.Stacks?.[0];
    if (!stack) throw new DeployWebFailed(`No stack ${stackName}`);
    const pairs = (list: { key?: string; value?: string }[]) =>
      Object.fromEntries(list.map(({ key, value }) => [key ?? '', value ?? '']));
    return {
      outputs: pairs((stack.Outputs ?? []).map((o) => ({ key: o.OutputKey, value: o.OutputValue }))),
      parameters: pairs((stack.Parameters ?? []).map((p) => ({ key: p.ParameterKey, value: p.ParameterValue }))),
    };
  } catch (error) {
    if (error instanceof DeployWebFailed) throw error;
    throw new DeployWebFailed(`Cannot read stack ${stackName}: ${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    cloudFormation.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ['stack', 'region', 'endpoint'], flags: ['help'] });
  if (args.options.help) {
    process.stdout.write('Usage: npm run deploy:web -- --stack NAME [--region REGION] [--endpoint URL]\n');
    return;
  }
  const stackName = stringOption(args, 'stack');
  if (!stackName) throw new UsageError('--stack NAME is required (the stack deployed from template.yaml)');
  const region = stringOption(args, 'region');
  const endpoint = stringOption(args, 'endpoint');
  const result = await deployWeb({
    stackName,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    say: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`The web app is at ${result.webAppUrl}\n`);
}

if (require.main === module) {
  quietNodeVersionWarning();
  main(process.argv.slice(2)).catch((error: unknown) => {
    const known = [UsageError, DeployWebFailed, MissingOutputs, WebBuildFailed].some((type) => error instanceof type);
    process.stderr.write(
      `deploy:web: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exit(1);
  });
}
