import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { request } from './support/raw-http';
import { sigv4Headers } from './support/signed';
import { rejection, startTestStack, type TestStack } from '../support/test-stack';

/** The guarantees of a local stack left running while its developer browses the web (docs/local-stack.md#security). */
describe('local stack security', function () {
  this.timeout(60000);
  let t: TestStack;
  let port: number;
  const logged: string[] = [];

  before(async () => {
    t = await startTestStack({
      allowedHosts: ['stack.test'],
      log: { line: (source, message) => logged.push(`[${source}] ${message}`), close: async () => undefined },
    });
    port = t.stack.port;
  });
  after(async () => t?.stop());

  const own = () => `http://localhost:${port}`;
  const objectPath = (key: string) => `/${t.bucket}/${key}`;
  const exists = (key: string) =>
    t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key })).then(
      () => true,
      () => false,
    );

  describe('Host (DNS rebinding)', () => {
    it('refuses a request whose Host is not this stack, with a 403 that says what it answers', async () => {
      const rebound = await request(port, { path: '/_local/health', headers: { host: `attacker.example:${port}` } });
      expect(rebound.status).to.equal(403);
      expect(JSON.parse(rebound.body).message).to.match(/Host "attacker\.example:\d+" is not this local stack's/);
      const s3 = await request(port, {
        path: objectPath('x'),
        headers: { host: `attacker.example:${port}`, ...sigv4Headers('s3') },
      });
      expect(s3.status).to.equal(403);
      expect(s3.body).to.match(/<Code>AccessDenied<\/Code><Message>Host &quot;attacker\.example:\d+&quot; is not/);
      const otherPort = await request(port, { path: '/_local/health', headers: { host: `localhost:${port + 1}` } });
      expect(otherPort.status).to.equal(403);
    });

    it('answers loopback names, bucket.localhost and a configured host on its port', async () => {
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `stack.test:${port}`]) {
        const answer = await request(port, { path: '/_local/health', headers: { host } });
        expect(answer.status, host).to.equal(200);
        expect(answer.headers['x-content-type-options']).to.equal('nosniff');
      }
      await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'public/vhost.txt', Body: 'v' }));
      const vhost = await request(port, {
        path: '/public/vhost.txt',
        headers: { host: `${t.bucket}.localhost:${port}`, ...sigv4Headers('s3') },
      });
      expect(vhost).to.deep.include({ status: 200, body: 'v' });
    });
  });

  describe('cross-site browser requests', () => {
    it('refuses a request from another origin, and a CORS preflight from one gets no allow headers', async () => {
      const fetched = await request(port, {
        path: '/_local/health',
        headers: { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(fetched.status).to.equal(403);
      expect(JSON.parse(fetched.body).message).to.match(
        /Cross-origin request from https:\/\/attacker\.example refused/,
      );
      const preflight = await request(port, {
        method: 'OPTIONS',
        path: objectPath('private/u/uploads/a.jpg'),
        headers: { origin: 'https://attacker.example', 'access-control-request-method': 'PUT' },
      });
      expect(preflight.status).to.equal(403);
      expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).to.deep.equal([]);
    });

    it('refuses a cross-site HTML form POST to the bucket, with or without Origin, and stores nothing', async () => {
      const key = 'public/forged.html';
      const form = await postForm(key, '<script>alert(1)</script>', 'text/html', { s3: t.s3, expiresIn: 600 });
      const browsers: Record<string, string>[] = [
        { origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
        { origin: 'null' },
      ];
      for (const browser of browsers) {
        const answer = await request(port, {
          method: 'POST',
          path: `/${t.bucket}`,
          headers: { 'content-type': form.contentType, ...browser },
          body: form.body,
        });
        expect(answer.status, JSON.stringify(browser)).to.equal(403);
        expect(answer.body).to.include('<Code>AccessDenied</Code>');
      }
      expect(await exists(key)).to.equal(false);
    });

    it("keeps the template's bucket CORS working for its origin, and the web app's uploads from its own origin", async () => {
      const corsOrigin = t.stack.model.parameters.CorsAllowedOrigin as string;
      const preflight = await request(port, {
        method: 'OPTIONS',
        path: objectPath('private/u/uploads/a.jpg'),
        headers: {
          origin: corsOrigin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).to.equal(200);
      expect(preflight.headers['access-control-allow-origin']).to.equal(corsOrigin);
      // A browser sends Origin on a PUT, same-origin (the web app's page) or cross-origin (CORS) alike.
      for (const [origin, site] of [
        [corsOrigin, 'same-site'],
        [own(), 'same-origin'],
      ] as const) {
        const url = await getSignedUrl(
          t.s3,
          new PutObjectCommand({ Bucket: t.bucket, Key: 'private/u/uploads/a.jpg' }),
        );
        const put = await request(port, {
          method: 'PUT',
          path: url.slice(url.indexOf(`/${t.bucket}/`)),
          headers: { origin, 'sec-fetch-site': site, 'content-type': 'image/jpeg' },
          body: 'jpeg',
        });
        expect(put.status, origin).to.equal(200);
      }
    });

    it('lets a page show a photo from a presigned URL on another loopback name (an <img>), not read it as a script', async () => {
      await t.s3.send(
        new PutObjectCommand({ Bucket: t.bucket, Key: 'public/photo.jpg', Body: 'jpeg', ContentType: 'image/jpeg' }),
      );
      const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: t.bucket, Key: 'public/photo.jpg' }));
      const path = url.slice(url.indexOf(`/${t.bucket}/`));
      const image = await request(port, {
        path,
        headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' },
      });
      expect(image).to.deep.include({ status: 200, body: 'jpeg' });
      const script = await request(port, {
        path,
        headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'script' },
      });
      expect(script.status).to.equal(403);
    });
  });

  describe('signed requests', () => {
    it('refuses unsigned S3 reads, writes and listings with S3 AccessDenied XML', async () => {
      for (const [method, path] of [
        ['GET', objectPath('public/photo.jpg')],
        ['PUT', objectPath('public/unsigned.txt')],
        ['DELETE', objectPath('public/photo.jpg')],
        ['GET', `/${t.bucket}?list-type=2`],
        ['GET', '/'],
      ] as const) {
        const answer = await request(port, { method, path, body: method === 'PUT' ? 'x' : undefined });
        expect(answer.status, `${method} ${path}`).to.equal(403);
        expect(answer.body).to.match(
          /<Error><Code>AccessDenied<\/Code><Message>Access Denied: the local stack takes AWS requests signed with SigV4/,
        );
      }
      expect(await exists('public/unsigned.txt')).to.equal(false);
      expect(await exists('public/photo.jpg')).to.equal(true);
    });

    it('takes any credentials, a current presigned URL, and refuses an expired one', async () => {
      const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: t.bucket, Key: 'public/photo.jpg' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 120_000),
      });
      const expired = await request(port, { path: url.slice(url.indexOf(`/${t.bucket}/`)) });
      expect(expired.status).to.equal(403);
      expect(expired.body).to.include('<Message>Request has expired</Message>');
      const signed = await request(port, {
        path: objectPath('public/photo.jpg'),
        headers: sigv4Headers('s3', 'ANY-KEY'),
      });
      expect(signed.status).to.equal(200);
    });

    it('takes a POST upload with a current signed policy, and refuses one without a policy or with an expired one', async () => {
      const unsigned = await postForm('public/form-unsigned.txt', 'u', 'text/plain');
      // A query on the bucket's path does not make the form something else.
      for (const path of [`/${t.bucket}`, `/${t.bucket}?anything=1`]) {
        const refused = await request(port, {
          method: 'POST',
          path,
          headers: { 'content-type': unsigned.contentType },
          body: unsigned.body,
        });
        expect(refused.status, path).to.equal(403);
      }
      const expired = await postForm('public/form-expired.txt', 'e', 'text/plain', { s3: t.s3, expiresIn: -60 });
      const late = await request(port, {
        method: 'POST',
        path: `/${t.bucket}`,
        headers: { 'content-type': expired.contentType },
        body: expired.body,
      });
      expect(late.status).to.equal(403);
      expect(late.body).to.include('Policy expired');
      const signed = await postForm('public/form-signed.txt', 's', 'text/plain', { s3: t.s3, expiresIn: 600 });
      const stored = await request(port, {
        method: 'POST',
        path: `/${t.bucket}`,
        headers: { 'content-type': signed.contentType },
        body: signed.body,
      });
      expect(stored.status, stored.body).to.equal(204);
      expect(await exists('public/form-signed.txt')).to.equal(true);
      expect(await exists('public/form-unsigned.txt')).to.equal(false);
    });

    it('refuses unsigned DynamoDB, Step Functions, Lambda and Rekognition calls; local pages need no signature', async () => {
      const calls: [string, Record<string, string>][] = [
        ['/', { 'x-amz-target': 'DynamoDB_20120810.ListTables' }],
        ['/', { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }],
        ['/', { 'x-amz-target': 'RekognitionService.DetectLabels' }],
        ['/2015-03-31/functions/RecordFailure/invocations', {}],
      ];
      for (const [path, headers] of calls) {
        const answer = await request(port, {
          method: 'POST',
          path,
          headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
          body: '{}',
        });
        expect(answer.status, path + JSON.stringify(headers)).to.equal(403);
        expect(JSON.parse(answer.body).__type).to.equal('MissingAuthenticationTokenException');
      }
      expect((await request(port, { path: '/_local/health' })).status).to.equal(200);
      // The web app answers on the name its sign-in callback uses (127.0.0.1 is redirected there).
      expect((await request(port, { path: '/_app/', headers: { host: `localhost:${port}` } })).status).to.equal(200);
      // The SDK signs with whatever credentials it has.
      expect((await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines).to.be.an('array');
    });
  });

  describe('stored objects', () => {
    it('are served with their stored content type, nosniff, and a sandbox CSP (never a page of the web app origin)', async () => {
      await t.s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: 'public/page.html',
          Body: '<script>parent.stolen=1</script>',
          ContentType: 'text/html',
        }),
      );
      const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket: t.bucket, Key: 'public/page.html' }));
      const answer = await request(port, {
        path: url.slice(url.indexOf(`/${t.bucket}/`)),
        headers: { host: `localhost:${port}` },
      });
      expect(answer.status).to.equal(200);
      expect(answer.headers).to.include({
        'content-type': 'text/html',
        'x-content-type-options': 'nosniff',
        'content-security-policy': 'sandbox',
      });
      const object = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'public/page.html' }));
      expect(object.ContentType).to.equal('text/html');
      expect(object.ContentDisposition).to.equal(undefined);
    });
  });

  describe('the log', () => {
    it('logs each refusal, and warns of nothing when bound to loopback', async () => {
      expect(
        logged.some((line) => /^\[guard\] refused GET \/_local\/health: Host "attacker\.example/.test(line)),
      ).to.equal(true);
      expect(logged.some((line) => line.includes('reachable from the network'))).to.equal(false);
      expect(
        (await rejection(t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'public/nothing' })))).name,
      ).to.equal('NoSuchKey');
    });

    it('warns, when the stack is bound to every interface, that it is reachable from the network', async () => {
      const lines: string[] = [];
      const exposed = await startTestStack({
        host: '0.0.0.0',
        recognition: false,
        log: { line: (_source, message) => lines.push(message), close: async () => undefined },
      });
      try {
        const warning = lines.find((line) => line.startsWith('WARNING'));
        expect(warning).to.match(
          /^WARNING: the local stack listens on 0\.0\.0\.0:\d+ and is reachable from the network/,
        );
      } finally {
        await exposed.stop();
      }
    });
  });
});

/**
 * A multipart/form-data upload as an HTML form sends it; given an S3 client, it carries the POST policy the SDK signs
 * with that client's credentials, valid for `expiresIn` seconds (negative: expired).
 */
async function postForm(
  key: string,
  content: string,
  contentType: string,
  signer?: { s3: S3Client; expiresIn: number },
) {
  let fields: Record<string, string> = { key, 'Content-Type': contentType };
  if (signer) {
    const presigned = await createPresignedPost(signer.s3, {
      Bucket: 'photorepo',
      Key: key,
      Fields: { 'Content-Type': contentType },
      Expires: signer.expiresIn,
    });
    fields = presigned.fields;
  }
  const boundary = 'local-security-boundary';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const file = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\nContent-Type: ${contentType}\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: parts.join('') + file };
}
