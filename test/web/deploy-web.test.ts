import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE } from '../../web/build/build-app';
import { parseWebConfig } from '../../web/src/config';
import { deployWeb, uploadOrder } from '../../scripts/deploy-web';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('npm run deploy:web against the local stack (--endpoint)', function () {
  this.timeout(60000);
  let test: TestStack;
  before(async function () {
    test = await startTestStack();
    if (!test.stack.model.outputs.WebBucketName) {
      console.log('    skipped: template.yaml has no WebBucketName output yet (issue 12, hosting)');
      this.skip();
    }
  });
  after(() => test?.stop());

  it('uploads the build and config.json with their content types and cache headers, and skips CloudFront', async () => {
    const said: string[] = [];
    const result = await deployWeb({
      stackName: 'local',
      endpoint: test.stack.endpoint,
      say: (line) => said.push(line),
    });
    const bucket = test.stack.model.outputs.WebBucketName?.value as string;
    expect(result.bucket).to.equal(bucket);
    expect(result).not.to.have.property('invalidationId');
    expect(said.join('\n')).to.include(`Skipped the CloudFront invalidation: ${test.stack.endpoint} has no CloudFront`);
    const head = (key: string) => test.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const index = await head('index.html');
    expect([index.ContentType, index.CacheControl]).to.deep.equal(['text/html; charset=utf-8', CACHE_REVALIDATE]);
    const script = result.uploaded.find((file) => /^main-[A-Z0-9]+\.js$/.test(file.key));
    const asset = await head(script?.key as string);
    expect([asset.ContentType, asset.CacheControl]).to.deep.equal(['text/javascript; charset=utf-8', CACHE_IMMUTABLE]);
    const config = await test.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'config.json' }));
    expect(config.CacheControl).to.equal(CACHE_REVALIDATE);
    const parsed = parseWebConfig(
      JSON.parse(await (config.Body as { transformToString(): Promise<string> }).transformToString()),
    );
    const outputs = test.stack.model.outputs;
    expect(parsed.apiUrl).to.equal(outputs.HttpApiUrl?.value);
    expect(parsed.auth.clientId).to.equal(outputs.UserPoolClientId?.value);
    expect(parsed.auth).not.to.have.property('signOutUrl');
  });
});

describe('deploy:web upload order', () => {
  it('uploads index.html last and config.json just before it', () => {
    const file = (path: string) => ({ path, contents: Buffer.from(''), contentType: '', cacheControl: '' });
    const order = uploadOrder([file('index.html'), file('config.json'), file('main-A.js'), file('main-B.css')]);
    expect(order.map((each) => each.path)).to.deep.equal(['main-A.js', 'main-B.css', 'config.json', 'index.html']);
  });
});
