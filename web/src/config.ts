/**
 * config.json, served next to index.html: the one thing that differs between AWS (written by `npm run deploy:web`
 * from the stack's outputs) and the local stack (made from the local outputs). Shape: docs/web-app.md.
 */
export interface AuthConfig {
  /** The OIDC issuer: its discovery document names the authorize, token and (not on Cognito) end-session endpoints. */
  authority: string;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Cognito's managed-login logout URL, whose discovery has no end_session_endpoint. */
  signOutUrl?: string;
  scope: string;
}

export interface WebConfig {
  region: string;
  apiUrl: string;
  auth: AuthConfig;
  /** On AWS: link each execution to the Step Functions console. */
  executionConsole: boolean;
  /** The stack's UploadMaxBytes, to refuse an oversize file before anything is sent (the API refuses it too). */
  uploadMaxBytes?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Validates a parsed config.json; every problem is named in one ConfigError. */
export function parseWebConfig(value: unknown): WebConfig {
  const problems: string[] = [];
  const root = objectAt(value, 'config.json', problems);
  const auth = objectAt(root.auth, 'auth', problems);
  const config: WebConfig = {
    region: textAt(root.region, 'region', problems),
    apiUrl: urlAt(root.apiUrl, 'apiUrl', problems).replace(/\/+$/, ''),
    auth: {
      authority: urlAt(auth.authority, 'auth.authority', problems).replace(/\/+$/, ''),
      clientId: textAt(auth.clientId, 'auth.clientId', problems),
      redirectUri: urlAt(auth.redirectUri, 'auth.redirectUri', problems),
      postLogoutRedirectUri: urlAt(auth.postLogoutRedirectUri, 'auth.postLogoutRedirectUri', problems),
      scope: textAt(auth.scope, 'auth.scope', problems),
      ...(auth.signOutUrl === undefined ? {} : { signOutUrl: urlAt(auth.signOutUrl, 'auth.signOutUrl', problems) }),
    },
    executionConsole: root.executionConsole === true,
  };
  if (root.executionConsole !== undefined && typeof root.executionConsole !== 'boolean')
    problems.push('executionConsole must be true or false');
  if (config.auth.scope && !config.auth.scope.split(' ').includes('openid'))
    problems.push('auth.scope must include "openid"');
  if (root.uploadMaxBytes !== undefined) {
    if (typeof root.uploadMaxBytes === 'number' && Number.isSafeInteger(root.uploadMaxBytes) && root.uploadMaxBytes > 0)
      config.uploadMaxBytes = root.uploadMaxBytes;
    else problems.push('uploadMaxBytes must be a whole number of bytes above 0');
  }
  if (problems.length > 0) throw new ConfigError(`config.json cannot be used: ${problems.join('; ')}.`);
  return config;
}

/** Fetches and validates config.json; a missing or broken file is a ConfigError that says so in words. */
export async function loadWebConfig(url: string, fetchJson: typeof fetch = fetch): Promise<WebConfig> {
  let response: Response;
  try {
    // Served with Cache-Control: no-cache, so the browser revalidates it after every deploy.
    response = await fetchJson(url);
  } catch {
    throw new ConfigError(`config.json could not be fetched from ${url}: the server did not answer.`);
  }
  if (!response.ok) throw new ConfigError(`config.json could not be fetched from ${url}: HTTP ${response.status}.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await response.text());
  } catch {
    throw new ConfigError(`config.json at ${url} is not JSON.`);
  }
  return parseWebConfig(parsed);
}

function objectAt(value: unknown, name: string, problems: string[]): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(`${name} must be an object`);
  return {};
}

function textAt(value: unknown, name: string, problems: string[]): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.push(`${name} is missing`);
  return '';
}

/** An absolute https URL, or http only on this machine (the local stack): tokens never travel in clear elsewhere. */
function urlAt(value: unknown, name: string, problems: string[]): string {
  const text = textAt(value, name, problems);
  if (text === '') return '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name} must be an absolute URL, not "${text}"`);
    return '';
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return text;
  problems.push(`${name} must be https (http only for localhost), not "${text}"`);
  return '';
}
