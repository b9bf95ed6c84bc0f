import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { createHttpApi } from '../apigateway/http-api';
import { httpApiOf, type HttpApiModel } from '../apigateway/http-api-model';
import { startAuthService, type AuthService } from '../auth/auth-service';
import { userPoolOf } from '../auth/user-pool-model';
import { sendJson } from '../http/respond';
import type { InvokeOutcome } from '../lambda/outcome';
import type { StackModel } from '../stack-model';
import { loadTemplate } from '../template';
import { createInboxApi, INBOX_MESSAGES_PATH, INBOX_PREFIX } from './inbox-api';
import { API_PREFIX, AUTH_PREFIX, localUrls, type LocalUrls } from './local-urls';

/**
 * The stack's front door, from template.yaml: the user pool's OpenID Connect provider at /_auth, the HTTP API at
 * /_api, whose JWT authorizer checks tokens against that provider's keys, and, behind that same authorizer, each
 * user's notifications from the local inbox at /_inbox (./inbox-api.ts). local/mounts.ts sends the three paths here.
 */
export interface FrontDoor {
  urls: LocalUrls;
  auth?: AuthService;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** What /_local/health says about the front door. */
  describe(): Record<string, unknown>;
  /** The origins the HTTP API's CORS configuration allows. */
  corsOrigins(): string[];
}

export interface FrontDoorOptions {
  model: StackModel;
  port: number;
  dataDir: string;
  invoke(functionName: string, event: unknown): Promise<InvokeOutcome>;
  /** How many e-mail subscriptions the stack's topics have (what fills the inbox). */
  emailSubscriptions?(): number;
  log(source: string, line: string): void;
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const { model } = options;
  const urls = localUrls(options.port);
  const template = loadTemplate(model.templatePath);
  const resolve = (value: unknown) => model.resolve(value);
  const pool = userPoolOf(template, resolve, urls.rewrite);
  const auth = pool
    ? await startAuthService({
        issuer: urls.issuer,
        mount: AUTH_PREFIX,
        pool,
        dataDir: options.dataDir,
        log: (line) => options.log('auth', line),
      })
    : undefined;
  const api = httpApiOf(template, model.functions, resolve, urls.rewrite);
  for (const route of api?.routes ?? [])
    if (route.authorizer && route.authorizer.issuer !== auth?.issuer)
      options.log(
        'api',
        `${route.routeKey}: the issuer ${route.authorizer.issuer} is not the local provider; it answers 401`,
      );
  const keys: JWTVerifyGetKey = auth
    ? createLocalJWKSet(auth.jwks as Parameters<typeof createLocalJWKSet>[0])
    : () => Promise.reject(new Error('the template has no user pool'));
  const httpApi = api
    ? createHttpApi({
        api,
        mount: API_PREFIX,
        accountId: model.identity.accountId,
        invoke: options.invoke,
        keys,
        log: (line) => options.log('api', line),
      })
    : undefined;
  const inbox = auth ? inboxApiOf(api, keys, options) : undefined;
  const under = (req: IncomingMessage, prefix: string) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    return path === prefix || path.startsWith(`${prefix}/`);
  };
  return {
    urls,
    ...(auth ? { auth } : {}),
    handle(req, res) {
      const [service, what] = under(req, AUTH_PREFIX)
        ? [auth, 'user pool (AWS::Cognito::UserPool)']
        : under(req, INBOX_PREFIX)
          ? [inbox, 'user pool and HTTP API with a JWT authorizer, which the inbox needs']
          : [httpApi, 'HTTP API (HttpApi events)'];
      if (!service) {
        sendJson(res, 404, { message: `The template has no ${what}` });
        return;
      }
      service.handle(req, res);
    },
    corsOrigins: () => api?.cors?.allowOrigins ?? [],
    describe: () => ({
      ...(auth
        ? {
            auth: {
              issuer: auth.issuer,
              clients: auth.clients.map((client) => ({
                clientId: client.clientId,
                redirectUris: client.callbackUrls,
                postLogoutRedirectUris: client.logoutUrls,
              })),
            },
          }
        : {}),
      ...(api ? { api: { url: urls.api, routes: api.routes.map((route) => route.routeKey) } } : {}),
      ...(inbox ? { inbox: { url: `${urls.origin}${INBOX_MESSAGES_PATH}` } } : {}),
    }),
  };
}

/** The inbox takes the tokens /_api takes (the authorizer of the API's routes), with the API's CORS configuration. */
function inboxApiOf(api: HttpApiModel | undefined, keys: JWTVerifyGetKey, options: FrontDoorOptions) {
  const authorizer = api?.routes.find((route) => route.authorizer)?.authorizer;
  if (!authorizer) return undefined;
  return createInboxApi({
    dataDir: options.dataDir,
    authorizer,
    keys,
    ...(api.cors ? { cors: api.cors } : {}),
    emailSubscriptions: options.emailSubscriptions ?? (() => 0),
    log: (line) => options.log('inbox', line),
  });
}
