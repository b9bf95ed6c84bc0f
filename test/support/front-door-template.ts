import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseTemplate, resourcesOfType, TEMPLATE_PATH, type CfnResource } from '../../local/template';

/**
 * A copy of template.yaml with the front door the tests need: the user pool, its app client and domain, the HTTP API
 * and a CloudFront distribution (each only if the template has none of that type yet, named as in FRONT-DOOR.md),
 * and an echo function on routes of every kind (path parameter, no authorizer, scopes, its own throttling).
 */
export const ECHO_FUNCTION = 'FrontDoorEcho';

export function writeFrontDoorTemplate(dir: string, templatePath = TEMPLATE_PATH): string {
  const template = parseTemplate(readFileSync(templatePath, 'utf8')) as ReturnType<typeof parseTemplate> & {
    Conditions?: Record<string, unknown>;
  };
  const has = (type: string) => resourcesOfType(template, type)[0]?.[0];
  const parameters = (template.Parameters ??= {});
  parameters.WebCallbackUrls ??= { Type: 'CommaDelimitedList', Default: 'http://localhost:4566/_app/' };
  parameters.AuthDomainPrefix ??= { Type: 'String', Default: '' };
  const add = (id: string, resource: CfnResource) => (template.Resources[id] = resource);
  const distribution = has('AWS::CloudFront::Distribution') ?? 'WebDistribution';
  if (!has('AWS::CloudFront::Distribution'))
    add(distribution, { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Enabled: true } } });
  const pool = has('AWS::Cognito::UserPool') ?? 'UserPool';
  let client = has('AWS::Cognito::UserPoolClient') ?? 'UserPoolClient';
  if (!has('AWS::Cognito::UserPool')) {
    template.Conditions = {
      ...template.Conditions,
      HasAuthDomainPrefix: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AuthDomainPrefix' }, ''] }] },
    };
    add(pool, {
      Type: 'AWS::Cognito::UserPool',
      Properties: {
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 10,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: false,
          },
        },
      },
    });
    client = 'UserPoolClient';
    // The CloudFront URL and the WebCallbackUrls parameter, as FRONT-DOOR.md describes the client's URLs.
    const appUrls = {
      'Fn::Split': [
        ',',
        {
          'Fn::Sub': [
            `https://\${Domain}/,\${Urls}`,
            {
              Domain: { 'Fn::GetAtt': [distribution, 'DomainName'] },
              Urls: { 'Fn::Join': [',', { Ref: 'WebCallbackUrls' }] },
            },
          ],
        },
      ],
    };
    add(client, {
      Type: 'AWS::Cognito::UserPoolClient',
      Properties: {
        UserPoolId: { Ref: pool },
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
        CallbackURLs: appUrls,
        LogoutURLs: appUrls,
      },
    });
    add('UserPoolDomain', {
      Type: 'AWS::Cognito::UserPoolDomain',
      Properties: {
        UserPoolId: { Ref: pool },
        Domain: {
          'Fn::If': [
            'HasAuthDomainPrefix',
            { Ref: 'AuthDomainPrefix' },
            { 'Fn::Sub': '${AWS::StackName}-${AWS::AccountId}' },
          ],
        },
      },
    });
  }
  const api = has('AWS::Serverless::HttpApi') ?? 'HttpApi';
  if (!has('AWS::Serverless::HttpApi'))
    add(api, {
      Type: 'AWS::Serverless::HttpApi',
      Properties: {
        Auth: {
          Authorizers: {
            CognitoAuthorizer: {
              IdentitySource: '$request.header.Authorization',
              JwtConfiguration: {
                issuer: { 'Fn::Sub': `https://cognito-idp.\${AWS::Region}.amazonaws.com/\${${pool}}` },
                audience: [{ Ref: client }],
              },
            },
          },
          DefaultAuthorizer: 'CognitoAuthorizer',
        },
        CorsConfiguration: {
          AllowOrigins: [{ Ref: 'CorsAllowedOrigin' }],
          AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
          AllowHeaders: ['authorization', 'content-type'],
          ExposeHeaders: ['x-echo'],
          MaxAge: 600,
        },
        DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
      },
    });
  const route = (method: string, routePath: string, extra: Record<string, unknown> = {}) => ({
    Type: 'HttpApi',
    Properties: { ApiId: { Ref: api }, Method: method, Path: routePath, ...extra },
  });
  add(ECHO_FUNCTION, {
    Type: 'AWS::Serverless::Function',
    Metadata: { BuildMethod: 'esbuild', BuildProperties: { EntryPoints: ['test/e2e/fixtures/echo-handler.ts'] } },
    Properties: {
      Handler: 'echo-handler.handler',
      Timeout: 5,
      Events: {
        EchoItem: route('GET', '/echo/{itemId}'),
        EchoPost: route('POST', '/echo'),
        EchoPublic: route('GET', '/public', { Auth: { Authorizer: 'NONE' } }),
        EchoScoped: route('GET', '/scoped', { Auth: { AuthorizationScopes: ['admin'] } }),
        EchoThrottled: route('GET', '/throttled', {
          RouteSettings: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.001 },
        }),
      },
    },
  });
  const outputs = (template.Outputs ??= {});
  const output = (name: string, value: unknown) => (outputs[name] ??= { Value: value });
  output('HttpApiUrl', { 'Fn::Sub': `https://\${${api}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}` });
  output('WebAppUrl', { 'Fn::Sub': `https://\${${distribution}.DomainName}/` });
  output('UserPoolId', { Ref: pool });
  output('UserPoolClientId', { Ref: client });
  output('AuthIssuer', { 'Fn::Sub': `https://cognito-idp.\${AWS::Region}.amazonaws.com/\${${pool}}` });
  output('AuthUrl', { 'Fn::Sub': `https://\${UserPoolDomain}.auth.\${AWS::Region}.amazoncognito.com` });
  const file = path.join(dir, 'template.yaml');
  writeFileSync(file, stringify(template));
  return file;
}
