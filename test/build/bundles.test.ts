import { expect } from 'chai';
import { imageIdFor } from '../../functions/lib/upload-key';
import { execFileSync, fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { functionSpecs, loadTemplate, PROJECT_ROOT, type FunctionSpec } from '../../local/template';
import type { FunctionBuild } from '../../local/build/build-functions';
import { bundleBudgetBytes } from '../../scripts/build';
import { BUILD_TIMEOUT_MS, builtFunction, builtFunctions } from '../support/built-functions';
import { FakeAws } from './fake-aws';

/**
 * The offline stand-in for `sam local invoke <Fn> -e events/<fixture>.json`: every function is bundled with the
 * esbuild options of its template Metadata, then the bundle itself (not the TypeScript source) runs in a fresh
 * Node process with only the environment template.yaml declares for it, against a fake AWS endpoint.
 */

const template = loadTemplate();
/** The template's functions. */
const functions = functionSpecs(template);
const spec = (id: string) => functions.find((f) => f.logicalId === id) as FunctionSpec;
const event = (name: string) =>
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'events', name), 'utf8')) as Record<string, any>;
const photo = (name: string) => readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/images', name));

/** Strings that only the offline stack's code or its dependencies contain. */
const LOCAL_ONLY = ['aws-local-stepfunctions', 's3rver', 'dynalite', '@vladmandic/human', 'tfjs'];

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ImageProcessing';
const TABLE_NAME = 'image-recognition-backend-ImageMetadataTable-TEST';
const ALBUM_TABLE_NAME = 'image-recognition-backend-AlbumMetadataTable-TEST';
const BUCKET_NAME = 'photorepo';
const NOTIFICATION_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:NotificationTopic';

/** What CloudFormation would put in a variable: parameter defaults, and stand-in names for resources. */
function resolveVariable(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const ref = (value as { Ref?: string }).Ref;
  if (ref && template.Parameters?.[ref]) return String(template.Parameters[ref].Default);
  if (ref && template.Resources[ref]?.Type === 'AWS::Serverless::StateMachine') return STATE_MACHINE_ARN;
  if (ref === 'AWS::StackName') return 'image-recognition-backend';
  if (ref === 'ImageMetadataTable') return TABLE_NAME;
  if (ref === 'AlbumMetadataTable') return ALBUM_TABLE_NAME;
  if (ref && template.Resources[ref]?.Type === 'AWS::S3::Bucket') return BUCKET_NAME;
  if (ref === 'NotificationTopic') return NOTIFICATION_TOPIC_ARN;
  throw new Error(`No stand-in for ${JSON.stringify(value)}`);
}

/** A DynamoDB JSON attribute for a plain value (strings, numbers, booleans, lists and maps). */
function attribute(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(attribute) };
  return { M: Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, attribute(v)])) };
}
const marshalled = (item: Record<string, unknown>) => (attribute(item) as { M: Record<string, unknown> }).M;

interface Invocation {
  ok: boolean;
  /** `process.version process.arch` of the child that ran the bundle. */
  runtime: string;
  result?: any;
  error?: { name: string; message: string };
  logs: string[];
}

/**
 * The Node that runs each bundle: this one, or LAMBDA_NODE (e.g. Lambda's major, or an arm64 build through a
 * qemu-user wrapper script: see docs/verification.md).
 */
const LAMBDA_NODE = process.env.LAMBDA_NODE || process.execPath;

let endpoint = '';
const aws = new FakeAws();

async function invoke(
  logicalId: string,
  payload: unknown,
  lambdaEnvironment: Record<string, string> = {},
): Promise<Invocation> {
  const fn = spec(logicalId);
  const build = await builtFunction(logicalId);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTESTS0000',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
    AWS_ENDPOINT_URL: endpoint,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: logicalId,
    ...Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, resolveVariable(value)])),
    ...lambdaEnvironment,
  };
  const child = fork(path.join(__dirname, 'invoke-bundle.cjs'), [], {
    env,
    execArgv: [],
    silent: true,
    execPath: LAMBDA_NODE,
  });
  const logs: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const handler = fn.handler.slice(fn.handler.lastIndexOf('.') + 1);
  const reply = new Promise<Omit<Invocation, 'logs'>>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Omit<Invocation, 'logs'>));
    child.once('exit', (code) => reject(new Error(`${logicalId} exited with ${code} before answering:\n${stderr}`)));
  });
  child.send({ bundle: build.handlerFile, handler, event: payload, functionName: logicalId });
  const answer = await reply;
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  if (buffered) logs.push(buffered);
  return { ...answer, logs };
}

function expectOk(invocation: Invocation): any {
  expect(invocation.error, `handler error; logs:\n${invocation.logs.join('\n')}`).to.equal(undefined);
  expect(invocation.ok).to.equal(true);
  return invocation.result;
}

/** Powertools' JSON lines, with the step's S3 key on each (the service name comes from Globals). */
function expectStructuredLogs(invocation: Invocation, key: string): void {
  // Powertools Metrics' EMF lines (`_aws`) are metrics, not log entries.
  const entries = invocation.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => !('_aws' in entry));
  expect(entries.length, 'log lines').to.be.greaterThan(0);
  for (const entry of entries) {
    expect(entry).to.include({ service: 'image-processing', s3Key: key });
    expect(entry).to.have.property('level');
  }
}

function jpegSize(bytes: Buffer): Promise<{ width?: number; height?: number; format?: string; exif?: Buffer }> {
  return sharp(bytes).metadata();
}

describe('built bundles', function () {
  this.timeout(BUILD_TIMEOUT_MS);
  let builds: FunctionBuild[] = [];

  before(async () => {
    builds = await builtFunctions();
  });

  it('bundles every esbuild function of template.yaml', () => {
    expect(builds.map((b) => b.logicalId).sort()).to.deep.equal(functions.map((f) => f.logicalId).sort());
    const failed = builds.filter((b) => !b.ok).map((b) => `${b.logicalId}:\n${b.error}`);
    expect(failed, failed.join('\n\n')).to.deep.equal([]);
  });

  for (const fn of functions) {
    describe(fn.logicalId, () => {
      it(`is at most ${bundleBudgetBytes(fn.logicalId) / 1024} KB minified, with a source map`, async () => {
        const build = await builtFunction(fn.logicalId);
        const js = build.files.find((f) => f.file === build.handlerFile);
        expect(js?.bytes, `${path.basename(build.handlerFile)} bytes`).to.be.at.most(bundleBudgetBytes(fn.logicalId));
        expect(build.files.map((f) => path.basename(f.file))).to.include(`${path.basename(build.handlerFile)}.map`);
      });

      it('holds no code of the offline stack (local/ and its emulators)', async () => {
        const build = await builtFunction(fn.logicalId);
        const bundle = readFileSync(build.handlerFile, 'utf8');
        expect(
          LOCAL_ONLY.filter((s) => bundle.includes(s)),
          'local-only strings in the bundle',
        ).to.deep.equal([]);
        const sources = (
          JSON.parse(readFileSync(`${build.handlerFile}.map`, 'utf8')) as { sources: string[] }
        ).sources.map((s) => path.relative(PROJECT_ROOT, path.resolve(path.dirname(build.handlerFile), s)));
        expect(
          sources.filter((s) => s.startsWith(`local${path.sep}`) || LOCAL_ONLY.some((l) => s.includes(l))),
        ).to.deep.equal([]);
        expect(sources.filter((s) => s.startsWith(`functions${path.sep}`)).length, 'own sources').to.be.greaterThan(0);
      });
    });
  }

  describe('invoked with the events/ fixtures, against a fake AWS endpoint', () => {
    const invoked = new Set<string>();
    const track = (id: string) => invoked.add(id);

    before(async () => {
      endpoint = await aws.start();
    });
    after(async () => {
      await aws.stop();
    });
    beforeEach(() => aws.reset());

    describe('S3Trigger', () => {
      it('records the upload and starts one execution for an EventBridge Object Created event', async () => {
        track('S3Trigger');
        const input = event('eventbridge-object-created.json');
        const key = input.detail.object.key as string;
        const result = expectOk(await invoke('S3Trigger', input));
        expect(result).to.have.lengthOf(1);
        expect(result[0]).to.include({ key, outcome: 'started' });
        // A new photo in an album: its item and the album's count in one transaction.
        const [transaction] = aws.callsTo('dynamodb', 'TransactWriteItems');
        const [item, album] = transaction?.input?.TransactItems as any[];
        expect(item.Put).to.include({ TableName: TABLE_NAME });
        expect(item.Put.Item.status).to.deep.equal({ S: 'PROCESSING' });
        expect(album.Update).to.include({ TableName: ALBUM_TABLE_NAME });
        const starts = aws.callsTo('sfn', 'StartExecution');
        expect(starts).to.have.lengthOf(1);
        expect(starts[0]?.input).to.include({ stateMachineArn: STATE_MACHINE_ARN });
        expect(String(starts[0]?.input?.name)).to.match(/^[A-Za-z0-9_-]{1,80}$/);
        expect(JSON.parse(String(starts[0]?.input?.input)).upload).to.include({ key, bucket: 'photorepo' });
      });

      it('decodes the form-encoded key of a classic S3 notification once', async () => {
        const result = expectOk(await invoke('S3Trigger', event('s3-notification-put.json')));
        const started = JSON.parse(String(aws.callsTo('sfn', 'StartExecution')[0]?.input?.input));
        expect(started.upload.key).to.equal(
          'private/us-east-1:6f1c2a4e-9b1d-4c1e-8f3a-2d5b7c9e0a11/uploads/my photo+1 (100%).jpg',
        );
        expect(result[0]).to.include({ outcome: 'started' });
      });

      it('counts ExecutionAlreadyExists as a duplicate delivery, not a failure', async () => {
        aws.override((call) =>
          call.operation === 'StartExecution'
            ? { status: 400, json: { __type: 'ExecutionAlreadyExists', message: 'Execution Already Exists' } }
            : undefined,
        );
        const result = expectOk(await invoke('S3Trigger', event('eventbridge-object-created.json')));
        expect(result[0]).to.include({ outcome: 'duplicate' });
      });

      it('skips a thumbnail key without calling AWS', async () => {
        const result = expectOk(await invoke('S3Trigger', event('eventbridge-thumbnail-created.json')));
        expect(result[0]).to.include({ outcome: 'skipped' });
        expect(aws.calls).to.deep.equal([]);
      });
    });

    describe('ExtractImageMetadata', () => {
      it('reads the head of the photo and returns its metadata', async () => {
        track('ExtractImageMetadata');
        const input = event('extract-image-metadata.json');
        aws.putObject(input.upload.bucket, input.upload.key, photo('nikon-p6000_landscape_gps.jpg'), 'image/jpeg');
        const invocation = await invoke('ExtractImageMetadata', input);
        const result = expectOk(invocation);
        expect(result).to.include({ format: 'JPEG', width: 640, height: 480 });
        expect(result.exif).to.include({ make: 'NIKON', model: 'COOLPIX P6000' });
        expect(result.gps.latitude).to.be.closeTo(43.4674483333333, 1e-9);
        expect(result.gps.longitude).to.be.closeTo(11.8851266666639, 1e-9);
        expect(
          aws.calls.every((c) => c.service === 's3' && c.key === input.upload.key && c.operation !== 'PutObject'),
        ).to.equal(true);
        expect(aws.callsTo('s3', 'GetObject').every((c) => /^bytes=\d+-\d+$/.test(String(c.headers.range)))).to.equal(
          true,
        );
        expectStructuredLogs(invocation, input.upload.key);
      });

      it('fails with UploadNotFound when the object is gone', async () => {
        const invocation = await invoke('ExtractImageMetadata', event('extract-image-metadata.json'));
        expect(invocation.error?.name).to.equal('UploadNotFound');
      });

      it('with tracing on, as on Lambda, still answers and sends a subsegment per S3 call to the X-Ray daemon', async () => {
        const daemon = createSocket('udp4');
        const segments: Record<string, any>[] = [];
        daemon.on('message', (message) => segments.push(JSON.parse(message.toString('utf8').split('\n')[1] ?? '{}')));
        await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
        try {
          const input = event('extract-image-metadata.json');
          aws.putObject(input.upload.bucket, input.upload.key, photo('nikon-p6000_landscape_gps.jpg'), 'image/jpeg');
          const invocation = await invoke('ExtractImageMetadata', input, {
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
            LAMBDA_TASK_ROOT: path.dirname((await builtFunction('ExtractImageMetadata')).handlerFile),
            AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
            _X_AMZN_TRACE_ID: 'Root=1-674b0c2a-3f1e2d4c5b6a798812345678;Parent=53995c3f42cd8ad8;Sampled=1',
          });
          expect(expectOk(invocation)).to.include({ format: 'JPEG' });
          await new Promise((resolve) => setTimeout(resolve, 200));
          const s3Calls = segments.filter((segment) => segment.namespace === 'aws' && segment.name === 'S3');
          const made = aws.calls.filter((call) => call.service === 's3').map((call) => call.operation);
          expect(made).to.include.members(['HeadObject', 'GetObject']);
          expect(s3Calls.map((segment) => segment.aws?.operation)).to.have.members(made);
          expect(s3Calls.every((segment) => segment.aws?.version_id === input.upload.versionId)).to.equal(true);
          expect(s3Calls.every((segment) => segment.trace_id === '1-674b0c2a-3f1e2d4c5b6a798812345678')).to.equal(true);
        } finally {
          daemon.close();
        }
      });
    });

    describe('StoreImageMetadata', () => {
      it('updates the item in the declared table, conditional on the upload', async () => {
        track('StoreImageMetadata');
        const input = event('store-image-metadata.json');
        const invocation = await invoke('StoreImageMetadata', input);
        expect(expectOk(invocation)).to.deep.equal({ imageId: input.upload.imageId });
        const [update] = aws.callsTo('dynamodb', 'UpdateItem');
        expect(update?.input).to.include({ TableName: TABLE_NAME });
        expect(update?.input?.Key).to.deep.equal({ imageId: { S: input.upload.imageId } });
        expect(update?.input?.ConditionExpression).to.be.a('string');
        expectStructuredLogs(invocation, input.upload.key);
      });

      it('fails with UploadSuperseded when a newer upload owns the item', async () => {
        aws.override((call) =>
          call.operation === 'UpdateItem'
            ? {
                status: 400,
                json: {
                  __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
                  message: 'The conditional request failed',
                },
              }
            : undefined,
        );
        expect((await invoke('StoreImageMetadata', event('store-image-metadata.json'))).error?.name).to.equal(
          'UploadSuperseded',
        );
      });

      it('fails with TransientError when DynamoDB answers 500', async () => {
        aws.override((call) =>
          call.operation === 'UpdateItem'
            ? {
                status: 500,
                json: {
                  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
                  message: 'Internal server error',
                },
              }
            : undefined,
        );
        expect((await invoke('StoreImageMetadata', event('store-image-metadata.json'))).error?.name).to.equal(
          'TransientError',
        );
      });
    });

    describe('DetectLabels', () => {
      it('asks Rekognition with the template parameters and keeps names, confidences, parents and boxes', async () => {
        track('DetectLabels');
        const input = event('detect-labels.json');
        const result = expectOk(await invoke('DetectLabels', input));
        const [request] = aws.callsTo('rekognition', 'DetectLabels');
        expect(request?.input).to.deep.equal({
          Image: { S3Object: { Bucket: input.upload.bucket, Name: input.upload.key, Version: input.upload.versionId } },
          MaxLabels: Number(template.Parameters?.LabelsMaxCount?.Default),
          MinConfidence: Number(template.Parameters?.LabelsMinConfidence?.Default),
        });
        expect(result.labels.map((l: { name: string }) => l.name)).to.deep.equal(['Outdoors', 'Castle']);
        expect(result.labels[1]).to.deep.include({ confidence: 81.5, parents: ['Building', 'Architecture'] });
      });

      it('stores why Rekognition refused an image instead of failing', async () => {
        aws.override((call) =>
          call.operation === 'DetectLabels'
            ? {
                status: 400,
                json: { __type: 'InvalidImageFormatException', message: 'Request has invalid image format' },
              }
            : undefined,
        );
        const result = expectOk(await invoke('DetectLabels', event('detect-labels.json')));
        expect(result.refused).to.include({ name: 'InvalidImageFormatException' });
      });
    });

    describe('DetectFaces', () => {
      it('asks DetectFaces for the attributes the item keeps and answers count, detected and the details', async () => {
        track('DetectFaces');
        const input = event('detect-faces.json');
        const invocation = await invoke('DetectFaces', input);
        const result = expectOk(invocation);
        const [request] = aws.callsTo('rekognition', 'DetectFaces');
        expect(request?.input).to.deep.equal({
          Image: { S3Object: { Bucket: input.upload.bucket, Name: input.upload.key, Version: input.upload.versionId } },
          Attributes: ['AGE_RANGE', 'EMOTIONS', 'SMILE', 'EYES_OPEN'],
        });
        expect(result.faces).to.include({ count: 2, detected: true });
        expect(result.faces.details[0]).to.deep.include({ emotion: { type: 'HAPPY', confidence: 93.1 } });
        expectStructuredLogs(invocation, input.upload.key);
      });

      it('reads the rendition of a converted upload', async () => {
        const input = event('generate-thumbnail-converted.json');
        expectOk(await invoke('DetectFaces', input));
        const [request] = aws.callsTo('rekognition', 'DetectFaces');
        expect((request?.input?.Image as any).S3Object.Name).to.equal(input.metadata.rendition.key);
      });
    });

    describe('DetectModerationLabels', () => {
      it('asks at the template default ModerationMinConfidence and flags what it finds', async () => {
        track('DetectModerationLabels');
        const input = event('detect-moderation-labels.json');
        const result = expectOk(await invoke('DetectModerationLabels', input));
        const [request] = aws.callsTo('rekognition', 'DetectModerationLabels');
        expect(request?.input).to.deep.equal({
          Image: { S3Object: { Bucket: input.upload.bucket, Name: input.upload.key, Version: input.upload.versionId } },
          MinConfidence: Number(template.Parameters?.ModerationMinConfidence?.Default),
        });
        expect(result.moderation).to.deep.equal({
          labels: [{ name: 'Weapons', parentName: 'Violence', confidence: 88.2 }],
          flagged: true,
        });
      });
    });

    describe('GenerateThumbnail', () => {
      it('writes a metadata-free JPEG within ThumbnailMaxSize under resized/', async () => {
        track('GenerateThumbnail');
        const input = event('generate-thumbnail.json');
        aws.putObject(input.upload.bucket, input.upload.key, photo('nikon-p6000_landscape_gps.jpg'), 'image/jpeg');
        const result = expectOk(await invoke('GenerateThumbnail', input));
        const expectedKey = (input.upload.key as string).replace('/uploads/', '/resized/');
        expect(result).to.include({ key: expectedKey, format: 'JPEG' });
        const [put] = aws.callsTo('s3', 'PutObject');
        expect(put).to.include({ bucket: input.upload.bucket, key: expectedKey });
        expect(put?.headers['content-type']).to.equal('image/jpeg');
        const max = Number(template.Parameters?.ThumbnailMaxSize?.Default);
        const size = await jpegSize(put?.body as Buffer);
        expect(size.format).to.equal('jpeg');
        expect(Math.max(size.width ?? 0, size.height ?? 0)).to.equal(max);
        expect(size).to.include({ width: result.width, height: result.height });
        expect(size.exif, 'no EXIF copied').to.equal(undefined);
      });
    });

    describe('ConvertImage', () => {
      it('writes an oriented JPEG rendition of a HEIC under converted/ with the decoders inlined in the bundle', async () => {
        track('ConvertImage');
        const input = event('convert-image.json');
        aws.putObject(input.upload.bucket, input.upload.key, photo('oiio_iphone7_small.heic'), 'image/heic');
        const invocation = await invoke('ConvertImage', input);
        const result = expectOk(invocation);
        const expectedKey = `${(input.upload.key as string).replace('/uploads/', '/converted/')}.jpg`;
        expect(result).to.deep.equal({
          key: expectedKey,
          format: 'JPEG',
          width: 512,
          height: 300,
          sizeBytes: result.sizeBytes,
          // The fake AWS answers a write without a version id, as an unversioned bucket: its version is "null".
          versionId: 'null',
        });
        const [put] = aws.callsTo('s3', 'PutObject');
        expect(put).to.include({ bucket: input.upload.bucket, key: expectedKey });
        expect(put?.headers['content-type']).to.equal('image/jpeg');
        expect((put?.body as Buffer).length).to.equal(result.sizeBytes);
        const size = await jpegSize(put?.body as Buffer);
        expect(size).to.include({ format: 'jpeg', width: 512, height: 300 });
        expect(size.exif, 'no EXIF copied').to.equal(undefined);
        expectStructuredLogs(invocation, input.upload.key);
      });

      it('fails with CorruptImage, not a crash, when the HEIC is cut short', async () => {
        const input = event('convert-image.json');
        aws.putObject(
          input.upload.bucket,
          input.upload.key,
          photo('oiio_iphone7_small.heic').subarray(0, 20_000),
          'image/heic',
        );
        expect((await invoke('ConvertImage', input)).error?.name).to.equal('CorruptImage');
      });

      it('is the only bundle that holds the WebAssembly decoders', async () => {
        for (const fn of functions) {
          const bundle = readFileSync((await builtFunction(fn.logicalId)).handlerFile, 'utf8');
          // Names the glue code of libheif-js and of the jSquash codecs keeps through minification.
          const markers = ['heif_js_decode_image2', 'https://localhost', 'instantiateWasm'];
          const found = markers.filter((marker) => bundle.includes(marker));
          expect(found, fn.logicalId).to.deep.equal(fn.logicalId === 'ConvertImage' ? markers : []);
        }
      });
    });

    const finishing: [string, string, string][] = [
      ['RecordUnsupported', 'record-unsupported.json', 'UNSUPPORTED'],
      ['CompleteProcessing', 'complete-processing.json', 'SUCCEEDED'],
      ['RecordFailure', 'record-failure.json', 'FAILED'],
    ];
    for (const [logicalId, fixture, status] of finishing) {
      describe(logicalId, () => {
        it(`writes the item once with status ${status}, and answers the notification to publish`, async () => {
          track(logicalId);
          const input = event(fixture);
          const result = expectOk(await invoke(logicalId, input));
          expect(result.status).to.equal(status);
          expect(result.notification.attributes.status).to.deep.equal({ DataType: 'String', StringValue: status });
          const [update, ...others] = aws.callsTo('dynamodb', 'UpdateItem');
          expect(update?.input).to.include({ TableName: TABLE_NAME });
          expect(update?.input?.Key).to.deep.equal({ imageId: { S: input.upload.imageId } });
          const values = JSON.stringify(update?.input?.ExpressionAttributeValues);
          expect(values).to.include(JSON.stringify({ S: status }));
          // CompleteProcessing then offers the photo (in an album) as the album's cover; nothing else writes twice.
          const expected = logicalId === 'CompleteProcessing' ? [ALBUM_TABLE_NAME] : [];
          expect(others.map((call) => call.input?.TableName)).to.deep.equal(expected);
          expect(aws.calls).to.have.lengthOf(1 + expected.length);
        });
      });
    }

    describe('the API routes (payload format 2.0 events with JWT claims)', () => {
      const sub = event('list-albums.json').requestContext.authorizer.jwt.claims.sub as string;
      const album = {
        userId: sub,
        albumId: 'holidays',
        name: 'Holidays',
        createdAt: '2026-11-22T10:00:00.000Z',
        photoCount: 1,
      };
      const photoKey = `private/${sub}/uploads/holidays/nikon-p6000_landscape_gps.jpg`;
      const item = {
        imageId: event('get-photo.json').pathParameters.imageId as string,
        bucket: BUCKET_NAME,
        key: photoKey,
        userId: sub,
        albumId: 'holidays',
        albumKey: `${sub}/holidays`,
        fileName: 'nikon-p6000_landscape_gps.jpg',
        status: 'SUCCEEDED',
        executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:nikon-p6000`,
        sequencer: '0065A1B2C3D4E5F601',
        sequencerOrder: '0065A1B2C3D4E5F60100000000000000',
        uploadedAt: '2026-11-22T10:15:31.000Z',
        updatedAt: '2026-11-22T10:15:40.000Z',
        thumbnail: {
          key: photoKey.replace('/uploads/', '/resized/'),
          width: 250,
          height: 188,
          format: 'JPEG',
          sizeBytes: 9000,
        },
      };
      /** DynamoDB answers: GetItem by table, Query with these items. */
      const serve = (answers: { albums?: unknown[]; photos?: unknown[]; album?: unknown; item?: unknown }) =>
        aws.override((call) => {
          if (call.service !== 'dynamodb') return undefined;
          const table = call.input?.TableName;
          if (call.operation === 'GetItem') {
            const item = table === ALBUM_TABLE_NAME ? answers.album : answers.item;
            return { status: 200, json: item ? { Item: marshalled(item as Record<string, unknown>) } : {} };
          }
          if (call.operation === 'Query') {
            const items = (table === ALBUM_TABLE_NAME ? answers.albums : answers.photos) ?? [];
            return {
              status: 200,
              json: { Items: items.map((i) => marshalled(i as Record<string, unknown>)), Count: items.length },
            };
          }
          return undefined;
        });
      const answerOf = (invocation: Invocation) => {
        const result = expectOk(invocation);
        const lines = invocation.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines.length, 'log lines').to.be.greaterThan(0);
        for (const line of lines) expect(line).to.include({ service: 'image-processing', userId: sub });
        return {
          status: result.statusCode as number,
          json: result.body === undefined ? undefined : JSON.parse(result.body),
        };
      };

      it('ListAlbums answers the albums of the token subject from the declared table', async () => {
        track('ListAlbums');
        serve({ albums: [album] });
        const answer = answerOf(await invoke('ListAlbums', event('list-albums.json')));
        expect(answer.status).to.equal(200);
        expect(answer.json.albums).to.deep.equal([
          { albumId: 'holidays', name: 'Holidays', createdAt: album.createdAt, photoCount: 1 },
        ]);
        const [query] = aws.callsTo('dynamodb', 'Query');
        expect(query?.input).to.deep.include({
          TableName: ALBUM_TABLE_NAME,
          ExpressionAttributeValues: { ':userId': { S: sub } },
        });
      });

      it('CreateAlbum puts a new album, RenameAlbum renames one, DeleteAlbum deletes an empty one', async () => {
        track('CreateAlbum');
        track('RenameAlbum');
        track('DeleteAlbum');
        const created = answerOf(await invoke('CreateAlbum', event('create-album.json')));
        expect(created.status).to.equal(201);
        expect(created.json).to.include({ name: 'Holidays 2026', photoCount: 0 });
        expect(aws.callsTo('dynamodb', 'PutItem')[0]?.input).to.include({ TableName: ALBUM_TABLE_NAME });
        aws.override((call) =>
          call.operation === 'UpdateItem'
            ? { status: 200, json: { Attributes: marshalled({ ...album, name: 'Summer in Tuscany' }) } }
            : undefined,
        );
        const renamed = answerOf(await invoke('RenameAlbum', event('rename-album.json')));
        expect(renamed).to.deep.include({ status: 200 });
        expect(renamed.json.name).to.equal('Summer in Tuscany');
        const deleted = answerOf(await invoke('DeleteAlbum', event('delete-album.json')));
        expect(deleted).to.deep.equal({ status: 204, json: undefined });
        expect(aws.callsTo('dynamodb', 'DeleteItem')[0]?.input?.Key).to.deep.equal({
          userId: { S: sub },
          albumId: { S: 'holidays' },
        });
      });

      it('ListPhotos answers the album photos with presigned thumbnail URLs, without internal fields', async () => {
        track('ListPhotos');
        serve({ album, photos: [item] });
        const answer = answerOf(await invoke('ListPhotos', event('list-photos.json')));
        expect(answer.status).to.equal(200);
        expect(answer.json.photos[0]).to.include({ imageId: item.imageId, status: 'SUCCEEDED' });
        expect(answer.json.photos[0]).not.to.have.any.keys('key', 'bucket', 'userId', 'sequencer');
        const url = new URL(answer.json.photos[0].thumbnailUrl);
        expect(url.origin, 'signed for the configured endpoint').to.equal(endpoint);
        expect(decodeURIComponent(url.pathname)).to.equal(`/${BUCKET_NAME}/${item.thumbnail.key}`);
        expect(aws.callsTo('dynamodb', 'Query')[0]?.input).to.include({ TableName: TABLE_NAME, IndexName: 'ByAlbum' });
      });

      it('GetPhoto answers the photo with its original URL; another user gets 404', async () => {
        track('GetPhoto');
        serve({ item });
        const answer = answerOf(await invoke('GetPhoto', event('get-photo.json')));
        expect(answer.status).to.equal(200);
        expect(decodeURIComponent(new URL(answer.json.originalUrl).pathname)).to.equal(`/${BUCKET_NAME}/${photoKey}`);
        expect(answer.json, 'no console link off AWS').not.to.have.property('executionConsoleUrl');
        const other = event('get-photo.json');
        other.requestContext.authorizer.jwt.claims.sub = 'someone-else';
        const refused = expectOk(await invoke('GetPhoto', other));
        expect(refused.statusCode).to.equal(404);
        expect(JSON.parse(refused.body).error).to.equal('NotFound');
      });

      it('GetPhotoExecution answers the status and steps of the photo execution', async () => {
        track('GetPhotoExecution');
        serve({ item });
        aws.override((call) => {
          if (call.operation === 'DescribeExecution') {
            return {
              status: 200,
              json: {
                executionArn: item.executionArn,
                status: 'SUCCEEDED',
                startDate: 1795342532,
                stopDate: 1795342540,
              },
            };
          }
          if (call.operation === 'GetExecutionHistory') {
            return {
              status: 200,
              json: {
                events: [
                  { id: 1, type: 'ExecutionStarted', timestamp: 1795342532 },
                  {
                    id: 2,
                    previousEventId: 1,
                    type: 'TaskStateEntered',
                    timestamp: 1795342533,
                    stateEnteredEventDetails: { name: 'ExtractImageMetadata' },
                  },
                  {
                    id: 3,
                    previousEventId: 2,
                    type: 'TaskStateExited',
                    timestamp: 1795342535,
                    stateExitedEventDetails: { name: 'ExtractImageMetadata' },
                  },
                  { id: 4, previousEventId: 3, type: 'ExecutionSucceeded', timestamp: 1795342540 },
                ],
              },
            };
          }
          return undefined;
        });
        const answer = answerOf(await invoke('GetPhotoExecution', event('get-photo-execution.json')));
        expect(answer.status).to.equal(200);
        expect(answer.json).to.include({ executionArn: item.executionArn, status: 'SUCCEEDED' });
        expect(answer.json.steps).to.deep.equal([
          {
            name: 'ExtractImageMetadata',
            status: 'SUCCEEDED',
            startedAt: '2026-11-22T10:15:33.000Z',
            stoppedAt: '2026-11-22T10:15:35.000Z',
            durationMs: 2000,
          },
        ]);
        expect(aws.callsTo('sfn', 'GetExecutionHistory')[0]?.input).to.include({ executionArn: item.executionArn });
      });

      it('DeletePhoto deletes every version of the original and answers 202', async () => {
        track('DeletePhoto');
        serve({ item });
        aws.putObject(BUCKET_NAME, photoKey, photo('nikon-p6000_landscape_gps.jpg'), 'image/jpeg');
        const answer = answerOf(await invoke('DeletePhoto', event('delete-photo.json')));
        expect(answer).to.deep.equal({ status: 202, json: { imageId: item.imageId, status: 'DELETING' } });
        expect(aws.callsTo('s3', 'DeleteObjects')).to.have.lengthOf(1);
        expect(aws.objects.has(`${BUCKET_NAME}/${photoKey}`)).to.equal(false);
      });

      it('CreateUpload answers a presigned POST for the caller key, limited to UploadMaxBytes', async () => {
        track('CreateUpload');
        serve({ album });
        const answer = answerOf(await invoke('CreateUpload', event('create-upload.json')));
        expect(answer.status).to.equal(201);
        expect(answer.json).to.include({
          key: photoKey,
          maxBytes: Number(template.Parameters?.UploadMaxBytes?.Default),
        });
        const policy = JSON.parse(Buffer.from(answer.json.fields.Policy, 'base64').toString('utf8'));
        expect(policy.conditions).to.deep.include.members([{ key: photoKey }, ['content-length-range', 1, 52428800]]);
      });
    });

    describe('DeleteCascade', () => {
      it('on "Object Deleted": no current version, no item yet, so it leaves a tombstone in the declared table', async () => {
        track('DeleteCascade');
        const input = event('eventbridge-object-deleted.json');
        const invocation = await invoke('DeleteCascade', input);
        const [outcome] = expectOk(invocation);
        expect(outcome).to.include({ key: input.detail.object.key, outcome: 'tombstoned' });
        const [put] = aws.callsTo('dynamodb', 'PutItem');
        expect(put?.input).to.include({ TableName: TABLE_NAME, ConditionExpression: 'attribute_not_exists(imageId)' });
        expect(put?.input?.Item as Record<string, unknown>).not.to.have.property('userId');
        expectStructuredLogs(invocation, input.detail.object.key);
      });
    });

    describe('ReconcileExecution', () => {
      it('on an ABORTED execution: one conditional UpdateItem marks its PROCESSING item FAILED', async () => {
        track('ReconcileExecution');
        const input = event('execution-status-change-aborted.json');
        const key = JSON.parse(input.detail.input).upload.key as string;
        const outcome = expectOk(await invoke('ReconcileExecution', input));
        expect(outcome).to.include({ outcome: 'failed', executionArn: input.detail.executionArn });
        const [update, ...more] = aws.callsTo('dynamodb', 'UpdateItem');
        expect(more).to.deep.equal([]);
        expect(update?.input).to.include({
          TableName: TABLE_NAME,
          ConditionExpression: '#status = :processing AND executionArn = :arn',
        });
        expect(update?.input?.Key).to.deep.equal({ imageId: { S: imageIdFor(key) } });
        // The event carried the input: the execution is not read.
        expect(aws.callsTo('sfn')).to.deep.equal([]);
        // The execution never reached NotifyResult: its one message goes from here.
        const [publish, ...again] = aws.callsTo('sns', 'Publish');
        expect(again).to.deep.equal([]);
        expect(publish?.input).to.include({ TopicArn: NOTIFICATION_TOPIC_ARN });
        expect(publish?.input?.Subject).to.match(/^Photo processing failed: /);
        expect(outcome).to.include({ notified: true });
      });
    });

    it('runs each bundle on LAMBDA_NODE when it is set, else on this Node', async () => {
      const expected = execFileSync(LAMBDA_NODE, ['-p', 'process.version + " " + process.arch'], {
        encoding: 'utf8',
      }).trim();
      const invocation = await invoke('ExtractImageMetadata', { not: 'an upload' });
      expect(invocation.runtime).to.equal(expected);
      expect(invocation.error?.name).to.equal('InvalidEvent');
    });

    // Mocha runs a suite's own tests before its child suites: this one comes last as its own suite.
    describe('coverage', () => {
      it('invoked every function of template.yaml', () => {
        expect([...invoked].sort()).to.deep.equal(functions.map((f) => f.logicalId).sort());
      });
    });
  });
});
