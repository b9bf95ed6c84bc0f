import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { clientOptions } from '../../functions/lib/aws/client-options';
import { startTestStack, type TestStack } from '../support/test-stack';
import { requireSystemTool } from '../support/system-tools';

/**
 * What a web page of another site can do to a local stack its visitor runs, tried in Chromium: a page on 127.0.0.1
 * (another site than localhost) posts a form to the bucket and fetches the Lambda API; an HTML object opened on the
 * stack's own origin tries to run a script there.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

describe('a local stack and a page of another site, in Chromium', function () {
  this.timeout(60000);
  let t: TestStack;
  let browser: Browser;
  let attacker: http.Server;
  let attackerUrl: string;
  const logged: string[] = [];

  before(async function () {
    requireSystemTool(this, existsSync(CHROMIUM), CHROMIUM, 'chromium');
    t = await startTestStack({ log: { line: (_source, line) => logged.push(line), close: async () => undefined } });
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(t.stack.port, t.bucket));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await t?.stop();
  });

  it('refuses the form the page posts to the bucket and the fetch it sends to the Lambda API', async () => {
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    await page.waitForURL(`http://localhost:${t.stack.port}/${t.bucket}`);
    expect(await page.content()).to.include('AccessDenied');
    const stored = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: 'public/forged.html' })).then(
      () => true,
      () => false,
    );
    expect(stored).to.equal(false);
    const refusals = logged.filter((line) => line.startsWith('refused POST'));
    expect(
      refusals.some((line) => line.includes(`/${t.bucket}: Cross-origin request from ${attackerUrl.slice(0, -1)}`)),
    ).to.equal(true);
    expect(
      refusals.some((line) => line.includes('/2015-03-31/functions/RecordFailure/invocations: Cross-origin')),
    ).to.equal(true);
  });

  it('opens an HTML object on the stack origin sandboxed: its script does not run there', async () => {
    await t.s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: 'public/page.html',
        ContentType: 'text/html',
        Body: "<title>page</title><script>localStorage.setItem('stolen', '1'); document.title = 'ran';</script>",
      }),
    );
    // Presigned for the origin a browser uses, so the object would be a page of http://localhost:<port> itself.
    const s3 = new S3Client({
      ...clientOptions,
      endpoint: `http://localhost:${t.stack.port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: t.bucket, Key: 'public/page.html' }));
    s3.destroy();
    const page = await browser.newPage();
    const answer = await page.goto(url);
    expect(answer?.headers()).to.include({ 'content-type': 'text/html', 'content-security-policy': 'sandbox' });
    expect(await page.title()).to.equal('page');
    await page.goto(`http://localhost:${t.stack.port}/_local/health`);
    expect(await page.evaluate("localStorage.getItem('stolen')")).to.equal(null);
  });
});

/** Posts a form (with a signed-looking policy) to the bucket and fetches the Lambda API, as soon as it loads. */
function attackerPage(port: number, bucket: string): string {
  const stack = `http://localhost:${port}`;
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const policy = Buffer.from(JSON.stringify({ expiration: '2100-01-01T00:00:00Z', conditions: [] })).toString('base64');
  const fields = {
    key: 'public/forged.html',
    'Content-Type': 'text/html',
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `ANY/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
    'x-amz-date': date,
    policy,
    'x-amz-signature': '0'.repeat(64),
  };
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join('');
  return `<!doctype html><form id="f" method="POST" enctype="multipart/form-data" action="${stack}/${bucket}">${inputs}
<textarea name="file">&lt;script&gt;alert(document.domain)&lt;/script&gt;</textarea></form>
<script>
fetch('${stack}/2015-03-31/functions/RecordFailure/invocations', { method: 'POST', mode: 'no-cors', body: '{}' })
  .finally(() => document.getElementById('f').submit());
</script>`;
}
