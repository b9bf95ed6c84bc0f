import { TemplateError } from '../stack-model';
import { resourcesOfType, type CfnTemplate } from '../template';
import type { PasswordPolicy } from './password-policy';

/**
 * The template's Cognito user pool and app clients as the local provider registers them: the password policy, and
 * for each AWS::Cognito::UserPoolClient a public client (no secret, code + PKCE) with its callback and sign-out URLs
 * (made local) and token lifetimes. Nothing here names a resource of this project.
 */
export interface AppClientModel {
  logicalId: string;
  /** What !Ref answers for the client: its id, locally its logical id. */
  clientId: string;
  callbackUrls: string[];
  logoutUrls: string[];
  scopes: string[];
  flows: string[];
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export interface UserPoolModel {
  logicalId: string;
  /** What !Ref answers for the pool (the pool id in the issuer URL). */
  id: string;
  passwordPolicy: PasswordPolicy;
  clients: AppClientModel[];
}

type Resolve = (value: unknown) => unknown;

// Cognito's defaults when the template leaves them out.
const DEFAULT_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};
const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** The template's one user pool (undefined when it has none), resolved with `resolve`, URLs through `rewrite`. */
export function userPoolOf(
  template: CfnTemplate,
  resolve: Resolve,
  rewrite: (url: string) => string,
): UserPoolModel | undefined {
  const pools = resourcesOfType(template, 'AWS::Cognito::UserPool');
  if (pools.length === 0) return undefined;
  if (pools.length > 1)
    throw new TemplateError(
      `The local stack has one OpenID Connect provider; the template declares ${pools.length} user pools (${pools.map(([id]) => id).join(', ')})`,
    );
  const [logicalId, resource] = pools[0] as [string, { Properties?: Record<string, unknown> }];
  const id = String(resolve({ Ref: logicalId }));
  const props = (resolve(resource.Properties ?? {}) ?? {}) as {
    Policies?: { PasswordPolicy?: Record<string, unknown> };
  };
  const clients = resourcesOfType(template, 'AWS::Cognito::UserPoolClient')
    .map(([clientLogicalId, client]) => ({
      clientLogicalId,
      props: (resolve(client.Properties ?? {}) ?? {}) as Record<string, unknown>,
    }))
    .filter(({ props: clientProps }) => String(clientProps.UserPoolId) === id)
    .map(({ clientLogicalId, props: clientProps }) => appClient(clientLogicalId, clientProps, resolve, rewrite));
  return { logicalId, id, passwordPolicy: passwordPolicy(props.Policies?.PasswordPolicy), clients };
}

function passwordPolicy(raw: Record<string, unknown> | undefined): PasswordPolicy {
  if (!raw) return DEFAULT_POLICY;
  const flag = (name: string) => String(raw[name] ?? 'false') === 'true';
  return {
    minimumLength: Number(raw.MinimumLength ?? DEFAULT_POLICY.minimumLength),
    requireLowercase: flag('RequireLowercase'),
    requireUppercase: flag('RequireUppercase'),
    requireNumbers: flag('RequireNumbers'),
    requireSymbols: flag('RequireSymbols'),
  };
}

function appClient(
  logicalId: string,
  props: Record<string, unknown>,
  resolve: Resolve,
  rewrite: (url: string) => string,
): AppClientModel {
  if (String(props.GenerateSecret ?? 'false') === 'true')
    throw new TemplateError(`${logicalId}: the local provider registers public clients only (no GenerateSecret)`);
  const urls = (value: unknown) => [...new Set(list(value).map(rewrite))];
  const units = (props.TokenValidityUnits ?? {}) as Record<string, unknown>;
  const seconds = (value: unknown, unit: unknown, fallback: number, defaultUnit: string) =>
    value === undefined ? fallback : Number(value) * (UNIT_SECONDS[String(unit ?? defaultUnit)] ?? 1);
  return {
    logicalId,
    clientId: String(resolve({ Ref: logicalId })),
    callbackUrls: urls(props.CallbackURLs),
    logoutUrls: urls(props.LogoutURLs),
    scopes: list(props.AllowedOAuthScopes ?? ['openid', 'email', 'profile']),
    flows: list(props.AllowedOAuthFlows ?? ['code']),
    accessTokenTtlSeconds: seconds(props.AccessTokenValidity, units.AccessToken, 3600, 'hours'),
    idTokenTtlSeconds: seconds(props.IdTokenValidity, units.IdToken, 3600, 'hours'),
    refreshTokenTtlSeconds: seconds(props.RefreshTokenValidity, units.RefreshToken, 30 * 86_400, 'days'),
  };
}

/** A resolved list property: a list, or a comma-separated string (a CommaDelimitedList joined by !Join or !Sub). */
function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value.flat(2) : value === undefined || value === '' ? [] : [value];
  return items
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}
