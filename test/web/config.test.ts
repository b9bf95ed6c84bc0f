import { expect } from 'chai';
import { ConfigError, loadWebConfig, parseWebConfig } from '../../web/src/config';
import { MissingOutputs, uploadMaxBytesOf, webConfigFromOutputs } from '../../web/build/web-config';

const AWS_OUTPUTS = {
  HttpApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  UserPoolClientId: '4abc5def',
  AuthIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1',
  AuthUrl: 'https://photos-123.auth.eu-west-1.amazoncognito.com',
  WebAppUrl: 'https://d111.cloudfront.net',
  WebBucketName: 'web-bucket',
};

describe('web config.json', () => {
  it('is made from a deployed stack’s outputs with Cognito’s logout URL and the console link', () => {
    const config = webConfigFromOutputs(AWS_OUTPUTS, { region: 'eu-west-1', onAws: true, uploadMaxBytes: 1000 });
    expect(config).to.deep.equal({
      region: 'eu-west-1',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      auth: {
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1',
        clientId: '4abc5def',
        // The registered callback is the CloudFront URL with its "/".
        redirectUri: 'https://d111.cloudfront.net/',
        postLogoutRedirectUri: 'https://d111.cloudfront.net/',
        signOutUrl:
          'https://photos-123.auth.eu-west-1.amazoncognito.com/logout?client_id=4abc5def&logout_uri=https%3A%2F%2Fd111.cloudfront.net%2F',
        scope: 'openid email profile',
      },
      executionConsole: true,
      uploadMaxBytes: 1000,
    });
  });

  it('has no Cognito logout URL or console link off AWS (the provider’s end-session endpoint signs out)', () => {
    const local = {
      HttpApiUrl: 'http://localhost:4566/_api',
      UserPoolClientId: 'UserPoolClient',
      AuthIssuer: 'http://localhost:4566/_auth',
      AuthUrl: 'http://localhost:4566/_auth',
      WebAppUrl: 'http://localhost:4566/_app/',
    };
    const config = webConfigFromOutputs(local, { region: 'us-east-1', onAws: false });
    expect(config.auth).to.not.have.property('signOutUrl');
    expect(config.executionConsole).to.equal(false);
    expect(config.auth.redirectUri).to.equal('http://localhost:4566/_app/');
  });

  it('names every missing output', () => {
    expect(() => webConfigFromOutputs({ HttpApiUrl: 'https://x' }, { region: 'r', onAws: true }))
      .to.throw(MissingOutputs)
      .with.property('message')
      .that.includes('UserPoolClientId, AuthIssuer, AuthUrl, WebAppUrl');
  });

  it('reads UploadMaxBytes from the stack parameters only when it is a positive whole number', () => {
    expect(uploadMaxBytesOf({ UploadMaxBytes: '52428800' })).to.equal(52428800);
    expect(uploadMaxBytesOf({ UploadMaxBytes: 'lots' })).to.equal(undefined);
    expect(uploadMaxBytesOf({})).to.equal(undefined);
  });

  it('refuses a config with every problem named, and http anywhere but this machine', () => {
    const bad = {
      region: '',
      apiUrl: 'http://api.example.com',
      auth: { authority: 'not a url', clientId: 'c', redirectUri: 'https://x/', postLogoutRedirectUri: 'https://x/' },
      executionConsole: 'yes',
      uploadMaxBytes: -1,
    };
    let error: unknown;
    try {
      parseWebConfig(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as Error).message;
    for (const problem of [
      'region is missing',
      'apiUrl must be https (http only for localhost)',
      'auth.authority must be an absolute URL',
      'auth.scope is missing',
      'executionConsole must be true or false',
      'uploadMaxBytes must be a whole number',
    ])
      expect(message).to.include(problem);
  });

  it('needs the openid scope', () => {
    const config = webConfigFromOutputs(AWS_OUTPUTS, { region: 'eu-west-1', onAws: true });
    expect(() => parseWebConfig({ ...config, auth: { ...config.auth, scope: 'email' } })).to.throw(
      /auth.scope must include "openid"/,
    );
  });

  it('loads config.json and says in words when it is missing or not JSON', async () => {
    const config = webConfigFromOutputs(AWS_OUTPUTS, { region: 'eu-west-1', onAws: true });
    const serve = (status: number, body: string) => (async () => new Response(body, { status })) as typeof fetch;
    expect(await loadWebConfig('/config.json', serve(200, JSON.stringify(config)))).to.deep.equal(config);
    await expectRejection(loadWebConfig('/config.json', serve(404, 'no')), /HTTP 404/);
    await expectRejection(loadWebConfig('/config.json', serve(200, '<html>')), /is not JSON/);
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expectRejection(loadWebConfig('/config.json', offline), /the server did not answer/);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(pattern);
    return;
  }
  throw new Error('expected a rejection');
}
