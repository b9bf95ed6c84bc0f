import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireSystemTool } from '../support/system-tools';
import { request } from './support/raw-http';
import { sigv4Headers } from './support/signed';
import { rejection, startTestStack, tempDir, type TestStack } from '../support/test-stack';

/** Keys are names, never paths: what any key does to the data folder, S3's key length, and listings in S3's order. */
const AWS = '/usr/bin/aws';
const CJK_SEGMENT = 'あ'.repeat(90); // 270 UTF-8 bytes in one segment: ENAMETOOLONG for a file named by the key
const HOSTILE_KEYS = [
  '../../../escaped.txt',
  '/abs/escaped.txt',
  'a/../../b/escaped.txt',
  '%2e%2e/%2e%2e/escaped.txt',
  '..\\..\\escaped.txt',
  'nul\u0000inside.txt',
  `public/${'x'.repeat(300)}/${'y'.repeat(300)}.txt`,
  `public/${CJK_SEGMENT}.txt`,
  'public/./dot/./segments',
  'public//double//slashes',
];

describe('local S3 keys', function () {
  this.timeout(120000);
  let t: TestStack;
  let parent: string;

  before(async () => {
    parent = tempDir('s3-keys-');
    t = await startTestStack({ dataDir: path.join(parent, 'data') });
  });
  after(async () => {
    await t?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  const put = (key: string, body = key) => t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: body }));
  const read = async (key: string) =>
    (await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }))).Body!.transformToString();

  it('stores and reads back any key, and nothing reads or writes outside the data folder', async () => {
    for (const key of HOSTILE_KEYS) {
      await put(key);
      expect(await read(key), JSON.stringify(key)).to.equal(key);
    }
    // Raw request lines a client would not normalise: dot segments, encoded dots, encoded slashes.
    for (const raw of [
      '/photorepo/../../raw-escape',
      '/photorepo/%2e%2e/%2e%2e/raw-escape',
      '/photorepo/..%2f..%2fraw-escape',
    ]) {
      const answer = await request(t.stack.port, {
        method: 'PUT',
        path: raw,
        headers: sigv4Headers('s3'),
        body: 'raw',
      });
      expect(answer.status, raw).to.equal(200);
    }
    expect(await read('%2e%2e/%2e%2e/escaped.txt')).to.equal('%2e%2e/%2e%2e/escaped.txt');
    expect(await read('../../raw-escape')).to.equal('raw');
    // The test's own folder holds the data folder only, and every file of it is under a 64-hex-digit name or a known one.
    expect(readdirSync(parent)).to.deep.equal(['data']);
    for (const file of filesUnder(path.join(t.dataDir, 's3')))
      expect(path.basename(file), file).to.match(
        /^([0-9a-f]{64}(\.json|\.[0-9a-f-]{36}|\.\w+\.xml)|cors\.xml|layout\.json)$/,
      );
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: '../../../escaped.txt' }));
    expect((await rejection(read('../../../escaped.txt'))).name).to.equal('NoSuchKey');
  });

  it("takes keys up to S3's 1,024 UTF-8 bytes and refuses longer ones with KeyTooLongError", async () => {
    const longest = `${'語'.repeat(341)}k`; // 1,023 + 1 bytes
    expect(Buffer.byteLength(longest)).to.equal(1024);
    await put(longest, 'longest');
    expect(await read(longest)).to.equal('longest');
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: t.bucket,
        Key: `${longest.slice(1)}c`,
        CopySource: `${t.bucket}/${encodeURIComponent(longest)}`,
      }),
    );
    expect(await read(`${longest.slice(1)}c`)).to.equal('longest');
    const tooLong = `${longest}x`;
    const error = await rejection(put(tooLong));
    expect(error.name).to.equal('KeyTooLongError');
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).to.equal(400);
  });

  it('lists keys in S3 order with prefixes, delimiters and continuation tokens (ListObjectsV2 and V1)', async () => {
    const keys = [
      'list/😀',
      'list/～',
      'list/a',
      'list/a+b',
      'list/a/1',
      'list/a/2',
      'list/b/1',
      'list/é',
      `list/${CJK_SEGMENT}`,
    ];
    for (const key of keys) await put(key);
    const all = await listAll(t.s3, t.bucket, { Prefix: 'list/' }, 2);
    expect(all.keys).to.deep.equal([
      'list/a',
      'list/a+b',
      'list/a/1',
      'list/a/2',
      'list/b/1',
      'list/é',
      `list/${CJK_SEGMENT}`,
      'list/～',
      'list/😀',
    ]);
    expect(all.pages).to.equal(5);
    const folders = await listAll(t.s3, t.bucket, { Prefix: 'list/', Delimiter: '/' }, 2);
    expect(folders.keys).to.deep.equal(['list/a', 'list/a+b', 'list/é', `list/${CJK_SEGMENT}`, 'list/～', 'list/😀']);
    expect(folders.prefixes).to.deep.equal(['list/a/', 'list/b/']);
    const v1 = await t.s3.send(
      new ListObjectsCommand({ Bucket: t.bucket, Prefix: 'list/', Delimiter: '/', MaxKeys: 3 }),
    );
    expect(v1.Contents?.map((object) => object.Key)).to.deep.equal(['list/a', 'list/a+b']);
    expect(v1.CommonPrefixes?.map((prefix) => prefix.Prefix)).to.deep.equal(['list/a/']);
    expect(v1).to.include({ IsTruncated: true, NextMarker: 'list/a/' });
    const next = await t.s3.send(
      new ListObjectsCommand({ Bucket: t.bucket, Prefix: 'list/', Delimiter: '/', Marker: v1.NextMarker }),
    );
    expect(next.CommonPrefixes?.map((prefix) => prefix.Prefix)).to.deep.equal(['list/b/']);
  });

  it('works with the AWS CLI v2: cp, ls --recursive and list-objects-v2 paging over long CJK keys', async function () {
    requireSystemTool(this, existsSync(AWS), `the AWS CLI v2 (${AWS})`, 'awscli');
    const file = path.join(parent, 'cli.txt');
    writeFileSync(file, 'from the cli');
    const key = `cli/${CJK_SEGMENT}/${CJK_SEGMENT}.txt`;
    await aws(t, 's3', 'cp', file, `s3://${t.bucket}/${key}`);
    await aws(t, 's3', 'cp', file, `s3://${t.bucket}/cli/plain.txt`);
    expect(await read(key)).to.equal('from the cli');
    const listed = await aws(t, 's3', 'ls', '--recursive', `s3://${t.bucket}/cli/`);
    expect(
      listed
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/).slice(3).join(' ')),
    ).to.deep.equal(['cli/plain.txt', key]);
    const paged = JSON.parse(
      await aws(
        t,
        's3api',
        'list-objects-v2',
        '--bucket',
        t.bucket,
        '--prefix',
        'cli/',
        '--page-size',
        '1',
        '--output',
        'json',
      ),
    );
    expect(paged.Contents.map((object: { Key: string }) => object.Key)).to.deep.equal(['cli/plain.txt', key]);
    await aws(t, 's3', 'cp', `s3://${t.bucket}/${key}`, path.join(parent, 'back.txt'));
    expect(readFileSync(path.join(parent, 'back.txt'), 'utf8')).to.equal('from the cli');
  });
});

describe("a data folder in s3rver's old layout", function () {
  this.timeout(60000);

  it('is migrated at start: objects, metadata and the bucket CORS are kept, the old files are gone', async () => {
    const dataDir = tempDir('s3-old-layout-');
    const bucket = path.join(dataDir, 's3', 'photorepo');
    mkdirSync(path.join(bucket, 'private/u/uploads/trip'), { recursive: true });
    const old = path.join(bucket, 'private/u/uploads/trip/a b+c.jpg');
    writeFileSync(`${old}._S3rver_object`, 'old bytes');
    writeFileSync(
      `${old}._S3rver_metadata.json`,
      JSON.stringify({ 'content-type': 'image/jpeg', 'x-amz-meta-note': 'kept' }),
    );
    writeFileSync(`${old}._S3rver_object.md5`, 'ignored');
    writeFileSync(path.join(bucket, '._S3rver_cors.xml'), '<CORSConfiguration/>');
    const t = await startTestStack({ dataDir });
    try {
      const object = await t.s3.send(
        new GetObjectCommand({ Bucket: 'photorepo', Key: 'private/u/uploads/trip/a b+c.jpg' }),
      );
      expect(await object.Body!.transformToString()).to.equal('old bytes');
      expect(object).to.deep.include({ ContentType: 'image/jpeg', Metadata: { note: 'kept' } });
      const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: 'photorepo' }));
      expect(listed.Contents?.map((entry) => entry.Key)).to.deep.equal(['private/u/uploads/trip/a b+c.jpg']);
      expect(existsSync(`${old}._S3rver_object`)).to.equal(false);
      expect(readdirSync(path.join(dataDir))).to.not.include('s3.old-layout');
      expect(JSON.parse(readFileSync(path.join(dataDir, 's3', 'layout.json'), 'utf8'))).to.deep.equal({
        layout: 'hashed-keys',
        version: 1,
      });
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('of an unknown version is refused with a message naming npm run reset', async () => {
    const dataDir = tempDir('s3-future-layout-');
    mkdirSync(path.join(dataDir, 's3'), { recursive: true });
    writeFileSync(path.join(dataDir, 's3', 'layout.json'), JSON.stringify({ layout: 'hashed-keys', version: 9 }));
    const error = await rejection(startTestStack({ dataDir }));
    expect(error.name).to.equal('OldS3Layout');
    expect(error.message).to.include('npm run reset');
    rmSync(dataDir, { recursive: true, force: true });
  });
});

async function listAll(s3: S3Client, bucket: string, query: { Prefix: string; Delimiter?: string }, pageSize: number) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ...query, MaxKeys: pageSize, ContinuationToken: token }),
    );
    pages += 1;
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    prefixes.push(...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix as string));
    expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).to.be.at.most(pageSize);
    token = page.NextContinuationToken;
  } while (token);
  return { keys, prefixes, pages };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

async function aws(t: TestStack, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
  };
  delete env.AWS_PROFILE;
  const { stdout } = await promisify(execFile)(AWS, ['--endpoint-url', `http://localhost:${t.stack.port}`, ...args], {
    env,
  });
  return stdout;
}
