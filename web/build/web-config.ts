import { parseWebConfig, type WebConfig } from '../src/config';

/**
 * config.json from a stack's outputs, the same way for a deployed stack (`npm run deploy:web`) and the local stack
 * (whose DescribeStacks outputs carry the local URLs).
 */
export const CONFIG_OUTPUTS = ['HttpApiUrl', 'UserPoolClientId', 'AuthIssuer', 'AuthUrl', 'WebAppUrl'] as const;
export type ConfigOutput = (typeof CONFIG_OUTPUTS)[number];

export const SCOPE = 'openid email profile';

export class MissingOutputs extends Error {
  override readonly name = 'MissingOutputs';
}

export interface ConfigOptions {
  region: string;
  /**
   * A stack on AWS: Cognito's managed login, whose discovery has no end_session_endpoint, signs out at
   * `{AuthUrl}/logout`; executions link to the Step Functions console.
   */
  onAws: boolean;
  /** The stack's UploadMaxBytes parameter, when known. */
  uploadMaxBytes?: number;
}

export function webConfigFromOutputs(
  outputs: Readonly<Record<string, string | undefined>>,
  options: ConfigOptions,
): WebConfig {
  const missing = CONFIG_OUTPUTS.filter((name) => !outputs[name]);
  if (missing.length > 0)
    throw new MissingOutputs(`The stack has no output ${missing.join(', ')}: is it deployed from this template?`);
  const value = (name: ConfigOutput) => outputs[name] as string;
  // The callback URL must match the registered one exactly; a bare origin gets its "/".
  const webAppUrl = new URL(value('WebAppUrl')).href;
  const clientId = value('UserPoolClientId');
  const signOutUrl = `${value('AuthUrl').replace(/\/+$/, '')}/logout?client_id=${encodeURIComponent(clientId)}&logout_uri=${encodeURIComponent(webAppUrl)}`;
  return parseWebConfig({
    region: options.region,
    apiUrl: value('HttpApiUrl'),
    auth: {
      authority: value('AuthIssuer'),
      clientId,
      redirectUri: webAppUrl,
      postLogoutRedirectUri: webAppUrl,
      ...(options.onAws ? { signOutUrl } : {}),
      scope: SCOPE,
    },
    executionConsole: options.onAws,
    ...(options.uploadMaxBytes === undefined ? {} : { uploadMaxBytes: options.uploadMaxBytes }),
  });
}

/** The UploadMaxBytes parameter as a number, or undefined when absent or not a positive whole number. */
export function uploadMaxBytesOf(parameters: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = Number(parameters.UploadMaxBytes);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
