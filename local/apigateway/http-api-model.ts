import { TemplateError, type FunctionModel } from '../stack-model';
import { resourcesOfType, type CfnTemplate } from '../template';

/**
 * The template's HTTP API as the local gateway serves it: one route per `HttpApi` event of a function (method, path
 * with its {parameters}, the function), each with its JWT authorizer (issuer made local, audience, scopes), and the
 * API's CORS configuration and default route throttling. Nothing here names a resource of this project.
 */
export interface JwtAuthorizerModel {
  name: string;
  issuer: string;
  audience: string[];
  /** The header the token is read from (IdentitySource $request.header.X), lower-cased. */
  header: string;
}

export interface ThrottleModel {
  burstLimit: number;
  rateLimit: number;
}

export interface RouteModel {
  /** "GET /albums/{albumId}", or "$default". */
  routeKey: string;
  /** Upper case, or ANY. */
  method: string;
  path: string;
  functionName: string;
  authorizer?: JwtAuthorizerModel;
  scopes: string[];
  timeoutMs: number;
  throttle: ThrottleModel;
}

export interface CorsModel {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface HttpApiModel {
  logicalId: string;
  apiId: string;
  /** $default, or a stage name that prefixes every path. */
  stage: string;
  cors?: CorsModel;
  routes: RouteModel[];
}

type Resolve = (value: unknown) => unknown;
type Props = Record<string, unknown>;

// API Gateway's account-level limits apply when the API sets none.
const ACCOUNT_THROTTLE: ThrottleModel = { burstLimit: 5000, rateLimit: 10_000 };
const IMPLICIT_API = 'ServerlessHttpApi';

/** The template's HTTP API (undefined when no function has an HttpApi event). */
export function httpApiOf(
  template: CfnTemplate,
  functions: FunctionModel[],
  resolve: Resolve,
  rewriteUrl: (url: string) => string,
): HttpApiModel | undefined {
  const events = functions.flatMap((fn) =>
    Object.entries(fn.spec.events)
      .filter(([, event]) => event.Type === 'HttpApi')
      .map(([name, event]) => ({ fn, name, props: (resolve(event.Properties ?? {}) ?? {}) as Props })),
  );
  const apis = resourcesOfType(template, 'AWS::Serverless::HttpApi').map(([logicalId, resource]) => ({
    logicalId,
    apiId: String(resolve({ Ref: logicalId })),
    props: (resolve(resource.Properties ?? {}) ?? {}) as Props,
  }));
  if (events.some((event) => event.props.ApiId === undefined))
    apis.push({ logicalId: IMPLICIT_API, apiId: IMPLICIT_API.toLowerCase(), props: {} });
  if (apis.length === 0) return undefined;
  if (apis.length > 1)
    throw new TemplateError(
      `The local stack serves one HTTP API at /_api; the template has ${apis.map((api) => api.logicalId).join(', ')}`,
    );
  const api = apis[0] as (typeof apis)[number];
  const auth = (api.props.Auth ?? {}) as Props;
  const authorizers = jwtAuthorizers(api.logicalId, auth, rewriteUrl);
  const defaultThrottle = throttleOf(api.props.DefaultRouteSettings, ACCOUNT_THROTTLE);
  const routes = events.map(({ fn, name, props }) =>
    routeOf(`${fn.logicalId}.Events.${name}`, fn.name, props, {
      authorizers,
      defaultAuthorizer: typeof auth.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined,
      defaultThrottle,
    }),
  );
  const duplicate = routes.find((route, index) => routes.findIndex((r) => r.routeKey === route.routeKey) !== index);
  if (duplicate) throw new TemplateError(`Two HttpApi events declare the route ${duplicate.routeKey}`);
  return {
    logicalId: api.logicalId,
    apiId: api.apiId,
    stage: String(api.props.StageName ?? '$default'),
    ...(api.props.CorsConfiguration !== undefined ? { cors: corsOf(api.props.CorsConfiguration) } : {}),
    routes,
  };
}

function jwtAuthorizers(apiId: string, auth: Props, rewriteUrl: (url: string) => string) {
  const authorizers = new Map<string, JwtAuthorizerModel>();
  for (const [name, raw] of Object.entries((auth.Authorizers ?? {}) as Record<string, Props>)) {
    const jwt = raw.JwtConfiguration as Props | undefined;
    if (!jwt)
      throw new TemplateError(`${apiId}.Auth.Authorizers.${name}: the local gateway knows JWT authorizers only`);
    const issuer = jwt.issuer ?? jwt.Issuer;
    const audience = jwt.audience ?? jwt.Audience;
    const source = String(raw.IdentitySource ?? '$request.header.Authorization');
    const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
    if (typeof issuer !== 'string' || !header)
      throw new TemplateError(
        `${apiId}.Auth.Authorizers.${name}: needs an issuer and a $request.header identity source`,
      );
    authorizers.set(name, {
      name,
      issuer: rewriteUrl(issuer),
      audience: (Array.isArray(audience) ? audience : [audience]).filter((item) => item !== undefined).map(String),
      header: header.toLowerCase(),
    });
  }
  return authorizers;
}

function routeOf(
  where: string,
  functionName: string,
  props: Props,
  api: { authorizers: Map<string, JwtAuthorizerModel>; defaultAuthorizer?: string; defaultThrottle: ThrottleModel },
): RouteModel {
  if (String(props.PayloadFormatVersion ?? '2.0') !== '2.0')
    throw new TemplateError(`${where}: the local gateway emulates payload format 2.0 only`);
  const rawMethod = String(props.Method ?? '').toUpperCase();
  const method = rawMethod === 'X-AMAZON-APIGATEWAY-ANY-METHOD' ? 'ANY' : rawMethod;
  const path = props.Path === undefined ? '$default' : String(props.Path);
  const auth = (props.Auth ?? {}) as Props;
  const authorizerName = typeof auth.Authorizer === 'string' ? auth.Authorizer : api.defaultAuthorizer;
  const authorizer = authorizerName && authorizerName !== 'NONE' ? api.authorizers.get(authorizerName) : undefined;
  if (authorizerName && authorizerName !== 'NONE' && !authorizer)
    throw new TemplateError(`${where}: no authorizer named ${authorizerName}`);
  return {
    routeKey: path === '$default' ? '$default' : `${method} ${path}`,
    method: path === '$default' ? 'ANY' : method,
    path,
    functionName,
    ...(authorizer ? { authorizer } : {}),
    scopes: Array.isArray(auth.AuthorizationScopes) ? auth.AuthorizationScopes.map(String) : [],
    timeoutMs: Number(props.TimeoutInMillis ?? 30_000),
    throttle: throttleOf(props.RouteSettings, api.defaultThrottle),
  };
}

function throttleOf(settings: unknown, fallback: ThrottleModel): ThrottleModel {
  const raw = (settings ?? {}) as Props;
  return {
    burstLimit: raw.ThrottlingBurstLimit === undefined ? fallback.burstLimit : Number(raw.ThrottlingBurstLimit),
    rateLimit: raw.ThrottlingRateLimit === undefined ? fallback.rateLimit : Number(raw.ThrottlingRateLimit),
  };
}

function corsOf(raw: unknown): CorsModel {
  // SAM's `CorsConfiguration: true` allows any origin, method and header.
  const config = (
    raw === true || raw === 'true' ? { AllowOrigins: ['*'], AllowMethods: ['*'], AllowHeaders: ['*'] } : raw
  ) as Props;
  const list = (value: unknown) =>
    Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  return {
    allowOrigins: list(config.AllowOrigins),
    allowMethods: list(config.AllowMethods).map((method) => method.toUpperCase()),
    allowHeaders: list(config.AllowHeaders).map((header) => header.toLowerCase()),
    exposeHeaders: list(config.ExposeHeaders).map((header) => header.toLowerCase()),
    ...(config.MaxAge !== undefined ? { maxAge: Number(config.MaxAge) } : {}),
    allowCredentials: String(config.AllowCredentials ?? 'false') === 'true',
  };
}
