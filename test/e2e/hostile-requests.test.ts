import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { rawExchange, request } from './support/raw-http';
import { sigv4Headers } from './support/signed';
import { startTestStack, tempDir, type TestStack } from '../support/test-stack';

/**
 * No single request can crash the local stack or leave it unable to serve: each of these (each once crashed, froze
 * or escaped a stack, or could have) gets an HTTP error or its normal answer, and the stack serves afterwards. The
 * list is docs/local-stack.md's "Security" section's.
 */
interface Hostile {
  name: string;
  /** The request's bytes; `${port}` and `${auth(service)}` are filled in. */
  bytes: (port: number) => string | Buffer;
  /** The status line expected back ('' for a connection the client cuts itself). */
  answer: RegExp;
  abortAfterMs?: number;
}

const CJK = encodeURIComponent('あ'.repeat(90));
const head = (port: number, service: string, extra = '') =>
  `Host: 127.0.0.1:${port}\r\n${Object.entries(sigv4Headers(service))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}${extra}`;
const call =
  (method: string, target: string, service: string, extra = '', body = '') =>
  (port: number) =>
    `${method} ${target} HTTP/1.1\r\n${head(port, service, extra)}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const json = (target: string) => `X-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.0\r\n`;
const deepJson = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const parentheses = (depth: number) => `${'('.repeat(depth)}attribute_exists(a)${')'.repeat(depth)}`;

export const HOSTILE_REQUESTS: Hostile[] = [
  {
    name: 'a key segment of 90 CJK characters (270 bytes: ENAMETOOLONG)',
    bytes: call('PUT', `/photorepo/public/${CJK}`, 's3', '', 'x'),
    answer: /^HTTP\/1\.1 200/,
  },
  {
    name: 'a key of 1,025 bytes',
    bytes: call('PUT', `/photorepo/${'k'.repeat(1025)}`, 's3', '', 'x'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a key with ../ segments',
    bytes: call('PUT', '/photorepo/../../../hostile-escape', 's3', '', 'x'),
    answer: /^HTTP\/1\.1 200/,
  },
  {
    name: 'a bucket named %2e%2e%2f%2e%2e',
    bytes: call('PUT', '/%2e%2e%2f%2e%2e/hostile-escape', 's3', '', 'x'),
    answer: /^HTTP\/1\.1 404/,
  },
  {
    name: 'invalid percent-encoding in the key',
    bytes: call('GET', '/photorepo/public/%E0%A4%A', 's3'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'bytes outside ASCII in the request line',
    bytes: (port) => Buffer.from(call('GET', '/photorepo/caf\u00e9', 's3')(port), 'latin1'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an absolute-form request target',
    bytes: call('GET', 'http://attacker.example/photorepo/x', 's3'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an upload id that is a path',
    bytes: call('PUT', '/photorepo/k?uploadId=..%2f..%2fhostile&partNumber=1', 's3', '', 'x'),
    answer: /^HTTP\/1\.1 404/,
  },
  {
    name: 'two upload ids',
    bytes: call('PUT', '/photorepo/k?uploadId=a&uploadId=b&partNumber=1', 's3', '', 'x'),
    answer: /^HTTP\/1\.1 404/,
  },
  {
    name: 'malformed XML completing a multipart upload',
    bytes: call('POST', `/photorepo/k?uploadId=${'a'.repeat(32)}`, 's3', '', '<Complete'),
    answer: /^HTTP\/1\.1 (400|404)/,
  },
  {
    name: 'malformed XML in DeleteObjects',
    bytes: call('POST', '/photorepo?delete', 's3', '', '<Delete><Object>'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'malformed XML in PutBucketCors',
    bytes: call('PUT', '/photorepo?cors', 's3', '', '<CORSConfiguration><CORSRule>'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a 3 MB configuration document',
    bytes: call('PUT', '/photorepo?tagging', 's3', '', `<Tagging>${' '.repeat(3 * 1024 * 1024)}</Tagging>`),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a Range of words',
    bytes: call('GET', `/photorepo/public/${CJK}`, 's3', 'Range: bytes=abc-def\r\n'),
    answer: /^HTTP\/1\.1 200/,
  },
  {
    name: 'a Range that ends before it starts',
    bytes: call('GET', `/photorepo/public/${CJK}`, 's3', 'Range: bytes=5-2\r\n'),
    answer: /^HTTP\/1\.1 200/,
  },
  {
    name: 'a Range beyond any number',
    bytes: call('GET', `/photorepo/public/${CJK}`, 's3', 'Range: bytes=99999999999999999999-\r\n'),
    answer: /^HTTP\/1\.1 416/,
  },
  {
    name: 'a suffix Range of 0 bytes',
    bytes: call('GET', `/photorepo/public/${CJK}`, 's3', 'Range: bytes=-0\r\n'),
    answer: /^HTTP\/1\.1 416/,
  },
  {
    name: 'a copy source that is not percent-encoding',
    bytes: call('PUT', '/photorepo/copy', 's3', 'x-amz-copy-source: /photorepo/%E0%A4%A\r\n'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a broken aws-chunked body',
    bytes: call('PUT', '/photorepo/chunked', 's3', 'Content-Encoding: aws-chunked\r\n', 'zz;x\r\n'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a multipart form that is not one',
    bytes: call('POST', '/photorepo', 's3', 'Content-Type: multipart/form-data; boundary=xx\r\n', '--xx\r\ngarbage'),
    answer: /^HTTP\/1\.1 (400|403)/,
  },
  {
    name: 'a garbage ListObjectsV2 continuation token',
    bytes: call('GET', '/photorepo?list-type=2&continuation-token=%FF%FE', 's3'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'max-keys that is not a number',
    bytes: call('GET', '/photorepo?max-keys=abc', 's3'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'a truncated ListObjectsV2 (s3rver needed DES for its token)',
    bytes: call('GET', '/photorepo?list-type=2&max-keys=1', 's3'),
    answer: /^HTTP\/1\.1 200/,
  },
  {
    name: 'DynamoDB: a body that is not JSON',
    bytes: call('POST', '/', 'dynamodb', json('DynamoDB_20120810.GetItem'), '{nope'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'DynamoDB: an item nested 20,000 deep (overflowed dynalite)',
    bytes: call(
      'POST',
      '/',
      'dynamodb',
      json('DynamoDB_20120810.PutItem'),
      `{"TableName":"ImageMetadataTable","Item":{"imageId":{"S":"x"},"d":${'{"M":{"a":'.repeat(20000)}{"S":"x"}${'}}'.repeat(20000)}}}`,
    ),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'DynamoDB: 30 nested parentheses in an expression (froze dynalite)',
    bytes: call(
      'POST',
      '/',
      'dynamodb',
      json('DynamoDB_20120810.Scan'),
      JSON.stringify({ TableName: 'ImageMetadataTable', FilterExpression: parentheses(30) }),
    ),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'Step Functions: a body that is not JSON',
    bytes: call('POST', '/', 'states', json('AWSStepFunctions.StartExecution'), '{nope'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'Step Functions: JSON nested 200,000 deep',
    bytes: call('POST', '/', 'states', json('AWSStepFunctions.StartExecution'), deepJson(200000)),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'Rekognition: an image that is not there',
    bytes: call(
      'POST',
      '/',
      'rekognition',
      json('RekognitionService.DetectLabels'),
      '{"Image":{"S3Object":{"Bucket":"photorepo","Name":"none"}}}',
    ),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'Lambda: a payload that is not JSON',
    bytes: call('POST', '/2015-03-31/functions/RecordFailure/invocations', 'lambda', '', '{'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'Lambda: a function name that is not percent-encoding',
    bytes: call('POST', '/2015-03-31/functions/%zz/invocations', 'lambda', '', '{}'),
    answer: /^HTTP\/1\.1 400/,
  },
  {
    // The web app is static files (its API is /_api): a POST, body or not, is refused.
    name: 'the web app: a POST with a body that is not JSON',
    bytes: (port) =>
      `POST /_app/ HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 1\r\nConnection: close\r\n\r\n{`,
    answer: /^HTTP\/1\.1 405/,
  },
  {
    name: 'a header of 100 KB',
    bytes: (port) => `GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(100000)}\r\n\r\n`,
    answer: /^HTTP\/1\.1 431/,
  },
  { name: 'bytes that are not HTTP', bytes: () => 'NOT HTTP AT ALL\r\n\r\n', answer: /^HTTP\/1\.1 400/ },
  {
    name: 'a chunked body with a broken chunk',
    bytes: (port) => `PUT /photorepo/c HTTP/1.1\r\n${head(port, 's3')}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
    answer: /^HTTP\/1\.1 400/,
  },
  {
    name: 'an upload cut off mid-body',
    bytes: (port) => `PUT /photorepo/public/cut-off HTTP/1.1\r\n${head(port, 's3')}Content-Length: 1000000\r\n\r\nabc`,
    answer: /^$/,
    abortAfterMs: 300,
  },
  {
    name: 'an aws-chunked upload cut off mid-chunk',
    bytes: (port) =>
      `PUT /photorepo/public/cut-off-chunked HTTP/1.1\r\n${head(port, 's3')}Content-Encoding: aws-chunked\r\nContent-Length: 1000000\r\n\r\n10\r\nabc`,
    answer: /^$/,
    abortAfterMs: 300,
  },
];

describe('hostile requests', function () {
  this.timeout(180000);
  let t: TestStack;
  let parent: string;
  const crashes: unknown[] = [];
  const record = (error: unknown) => crashes.push(error);

  before(async () => {
    process.on('unhandledRejection', record);
    process.on('uncaughtExceptionMonitor', record);
    parent = tempDir('hostile-');
    t = await startTestStack({ dataDir: path.join(parent, 'data'), retryIntervalMs: 0 });
  });
  after(async () => {
    process.off('unhandledRejection', record);
    process.off('uncaughtExceptionMonitor', record);
    await t?.stop();
  });

  it('each get an HTTP error (or their normal answer), and the stack serves afterwards', async () => {
    const answers: string[] = [];
    for (const hostile of HOSTILE_REQUESTS) {
      const status = await rawExchange(t.stack.port, hostile.bytes(t.stack.port), hostile.abortAfterMs);
      answers.push(`${hostile.name}: ${status}`);
      expect(status, hostile.name).to.match(hostile.answer);
      const health = await request(t.stack.port, { path: '/_local/health' });
      expect(health.status, `health after ${hostile.name}`).to.equal(200);
    }
    // A multipart upload completed with a part that was never sent (once an unhandled stream error).
    const started = await request(t.stack.port, {
      method: 'POST',
      path: '/photorepo/multi?uploads',
      headers: sigv4Headers('s3'),
    });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(started.body)?.[1];
    const completed = await request(t.stack.port, {
      method: 'POST',
      path: `/photorepo/multi?uploadId=${uploadId}`,
      headers: sigv4Headers('s3'),
      body: '<CompleteMultipartUpload><Part><PartNumber>7</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
    });
    expect(completed.status).to.equal(400);
    expect(completed.body).to.include('<Code>InvalidPart</Code>');

    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'public/after.txt', Body: 'still serving' }));
    const after = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'public/after.txt' }));
    expect(await after.Body!.transformToString()).to.equal('still serving');
    expect((await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines?.length).to.be.greaterThan(0);
    // Nothing escaped the data folder, and the uploads cut off left nothing behind, not even a temp file.
    expect(readdirSync(parent)).to.deep.equal(['data']);
    expect(readdirSync(path.join(t.dataDir, 's3', '.tmp'))).to.deep.equal([]);
    const cutOff = await request(t.stack.port, {
      method: 'HEAD',
      path: '/photorepo/public/cut-off',
      headers: sigv4Headers('s3'),
    });
    expect(cutOff.status).to.equal(404);
    expect(crashes).to.deep.equal([]);
  });
});
