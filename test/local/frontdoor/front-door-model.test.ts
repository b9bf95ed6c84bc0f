import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { httpApiOf } from '../../../local/apigateway/http-api-model';
import { userPoolOf } from '../../../local/auth/user-pool-model';
import { localBuckets, localOutputs, localUrls } from '../../../local/frontdoor/local-urls';
import { loadStackModel, stackModel, TemplateError } from '../../../local/stack-model';
import { loadTemplate, parseTemplate, PROJECT_ROOT } from '../../../local/template';
import { tempDir } from '../../support/test-stack';
import { ECHO_FUNCTION, writeFrontDoorTemplate } from '../../support/front-door-template';

/** The front door as the local stack reads it from a template: local URLs, the user pool, the HTTP API. */
describe('front door model', () => {
  const identity = {
    region: 'eu-west-1',
    accountId: '123456789012',
    stackName: 'photos',
    endpoint: 'http://127.0.0.1:4603',
  };
  const urls = localUrls(4603);
  let dir: string;
  let templatePath: string;

  before(() => {
    dir = tempDir('front-door-model-');
    templatePath = writeFrontDoorTemplate(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const load = (parameterOverrides?: Record<string, string>) =>
    loadStackModel({
      templatePath,
      codeRoot: PROJECT_ROOT,
      identity,
      ...(parameterOverrides ? { parameterOverrides } : {}),
    });

  it('maps AWS-shaped URLs to the local endpoint and leaves others alone', () => {
    expect(urls.rewrite('https://abc123.execute-api.eu-west-1.amazonaws.com')).to.equal('http://localhost:4603/_api');
    expect(urls.rewrite('https://abc123.execute-api.eu-west-1.amazonaws.com/prod')).to.equal(
      'http://localhost:4603/_api/prod',
    );
    expect(urls.rewrite('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC')).to.equal(
      'http://localhost:4603/_auth',
    );
    expect(urls.rewrite('https://photos-1.auth.eu-west-1.amazoncognito.com')).to.equal('http://localhost:4603/_auth');
    expect(urls.rewrite('https://d111.cloudfront.net/')).to.equal('http://localhost:4603/_app/');
    expect(urls.rewrite('https://example.com/cloudfront.net')).to.equal('https://example.com/cloudfront.net');
    expect(urls.rewrite('photorepo')).to.equal('photorepo');
  });

  it("lets the local web app's origin use the buckets a CloudFront origin may use on AWS", () => {
    const rule = { AllowedOrigins: ['https://d111.cloudfront.net', 'http://localhost:4566'], AllowedMethods: ['POST'] };
    const [bucket] = localBuckets([{ name: 'photorepo', cors: [rule] }], urls);
    expect(bucket?.cors[0]?.AllowedOrigins).to.deep.equal(['http://localhost:4603', 'http://localhost:4566']);
    expect(bucket?.cors[0]?.AllowedMethods).to.deep.equal(['POST']);
    const [other] = localBuckets([{ cors: [{ AllowedOrigins: ['https://example.com/x.cloudfront.net'] }] }], urls);
    expect(other?.cors[0]?.AllowedOrigins).to.deep.equal(['https://example.com/x.cloudfront.net']);
  });

  it('answers the outputs with local URLs, as DescribeStacks and config.json need them', () => {
    const outputs = localOutputs(load().outputs, urls);
    const values = Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
    expect(values).to.include({
      HttpApiUrl: 'http://localhost:4603/_api',
      WebAppUrl: 'http://localhost:4603/_app/',
      AuthIssuer: 'http://localhost:4603/_auth',
      AuthUrl: 'http://localhost:4603/_auth',
    });
    const template = loadTemplate(templatePath);
    const pool = userPoolOf(template, (value) => load().resolve(value), urls.rewrite);
    expect(values.UserPoolClientId).to.equal(pool?.clients[0]?.clientId);
  });

  it('registers each app client with its callback URLs resolved from the parameters and made local', () => {
    const model = load({ WebCallbackUrls: 'http://localhost:5173/,http://localhost:4603/_app/' });
    const pool = userPoolOf(loadTemplate(templatePath), (value) => model.resolve(value), urls.rewrite);
    const template = loadTemplate(templatePath);
    const poolId = Object.keys(template.Resources).find(
      (id) => template.Resources[id]?.Type === 'AWS::Cognito::UserPool',
    );
    const policy = (
      template.Resources[poolId ?? '']?.Properties as { Policies: { PasswordPolicy: Record<string, unknown> } }
    ).Policies.PasswordPolicy;
    expect(pool?.passwordPolicy).to.deep.equal({
      minimumLength: policy.MinimumLength,
      requireLowercase: policy.RequireLowercase,
      requireUppercase: policy.RequireUppercase,
      requireNumbers: policy.RequireNumbers,
      requireSymbols: policy.RequireSymbols,
    });
    expect(pool?.clients).to.have.length(1);
    expect(pool?.clients[0]).to.deep.include({
      callbackUrls: ['http://localhost:4603/_app/', 'http://localhost:5173/'],
      scopes: ['openid', 'email', 'profile'],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 30 * 86_400,
    });
  });

  it('resolves conditions (Fn::If) and list parameters', () => {
    expect(load().resolve({ Ref: 'UserPoolDomain' })).to.equal('photos-123456789012');
    expect(load({ AuthDomainPrefix: 'my-photos' }).resolve({ Ref: 'UserPoolDomain' })).to.equal('my-photos');
    expect(load({ WebCallbackUrls: 'a,b' }).resolve({ Ref: 'WebCallbackUrls' })).to.deep.equal(['a', 'b']);
  });

  it('reads token lifetimes in the units the client gives', () => {
    const template = loadTemplate(templatePath);
    const client = Object.values(template.Resources).find(
      (resource) => resource.Type === 'AWS::Cognito::UserPoolClient',
    );
    Object.assign(client?.Properties ?? {}, {
      AccessTokenValidity: 15,
      IdTokenValidity: 2,
      TokenValidityUnits: { AccessToken: 'minutes' },
    });
    const model = stackModel(template, { templatePath, codeRoot: PROJECT_ROOT, identity });
    const pool = userPoolOf(template, (value) => model.resolve(value), urls.rewrite);
    expect(pool?.clients[0]).to.include({ accessTokenTtlSeconds: 900, idTokenTtlSeconds: 7200 });
  });

  it('reads the HTTP API: one route per HttpApi event, the authorizer with the local issuer, CORS and throttling', () => {
    const model = load();
    const template = loadTemplate(templatePath);
    const api = httpApiOf(template, model.functions, (value) => model.resolve(value), urls.rewrite);
    const settings = model.resolve(
      (template.Resources[api?.logicalId ?? '']?.Properties as Record<string, unknown>).DefaultRouteSettings,
    ) as { ThrottlingBurstLimit: number; ThrottlingRateLimit: number };
    const routes = Object.fromEntries((api?.routes ?? []).map((route) => [route.routeKey, route]));
    expect(Object.keys(routes)).to.include.members([
      'GET /echo/{itemId}',
      'POST /echo',
      'GET /public',
      'GET /scoped',
      'GET /throttled',
    ]);
    expect(routes['GET /echo/{itemId}']).to.deep.include({
      functionName: ECHO_FUNCTION,
      authorizer: {
        name: 'CognitoAuthorizer',
        issuer: 'http://localhost:4603/_auth',
        audience: [String(model.resolve({ Ref: 'UserPoolClient' }))],
        header: 'authorization',
      },
      throttle: { burstLimit: Number(settings.ThrottlingBurstLimit), rateLimit: Number(settings.ThrottlingRateLimit) },
    });
    expect(routes['GET /public']).not.to.have.property('authorizer');
    expect(routes['GET /scoped']?.scopes).to.deep.equal(['admin']);
    expect(routes['GET /throttled']?.throttle).to.deep.equal({ burstLimit: 2, rateLimit: 0.001 });
    expect(api?.cors?.allowOrigins).to.include('http://localhost:4566');
    expect(api?.cors).to.deep.include({ allowHeaders: ['authorization', 'content-type'], maxAge: 600 });
  });

  it('refuses what it does not emulate, naming it: payload format 1.0, two HTTP APIs', () => {
    const text = loadTemplate(templatePath);
    const echo = text.Resources[ECHO_FUNCTION]?.Properties as {
      Events: Record<string, { Properties: Record<string, unknown> }>;
    };
    (echo.Events.EchoPost as { Properties: Record<string, unknown> }).Properties.PayloadFormatVersion = '1.0';
    const model = stackModel(text, { templatePath, codeRoot: PROJECT_ROOT, identity });
    expect(() => httpApiOf(text, model.functions, (value) => model.resolve(value), urls.rewrite)).to.throw(
      TemplateError,
      /EchoPost: .*2\.0 only/,
    );
    const two = parseTemplate(
      JSON.stringify({
        ...loadTemplate(templatePath),
        Resources: { ...loadTemplate(templatePath).Resources, OtherApi: { Type: 'AWS::Serverless::HttpApi' } },
      }),
    );
    const twoModel = stackModel(two, { templatePath, codeRoot: PROJECT_ROOT, identity });
    expect(() => httpApiOf(two, twoModel.functions, (value) => twoModel.resolve(value), urls.rewrite)).to.throw(
      TemplateError,
      /one HTTP API/,
    );
  });
});
