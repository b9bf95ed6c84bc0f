import type { WebConfig } from '../../web/src/config';
import type { AppOrigins } from '../../web/build/security-headers';
import { uploadMaxBytesOf, webConfigFromOutputs, type ConfigOutput } from '../../web/build/web-config';
import type { StackModel } from '../stack-model';

/**
 * The web app's config.json on the local stack, made by the same function as on AWS from the local outputs. The
 * outputs carry the local URLs (/_api, /_auth, /_app/ on this stack's port); where an output still names something
 * else (a template resolved without the local API and provider), the URL is the one that path serves here.
 */
const LOCAL_PATHS: Record<Exclude<ConfigOutput, 'UserPoolClientId'>, string> = {
  HttpApiUrl: '/_api',
  AuthIssuer: '/_auth',
  AuthUrl: '/_auth',
  WebAppUrl: '/_app/',
};

export function localOrigin(port: number): string {
  return `http://localhost:${port}`;
}

/** A URL this stack serves: on its port, on a loopback name. */
function isThisStack(value: string | undefined, port: number): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.port === String(port) && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

export function localWebOutputs(model: StackModel, port: number): Record<ConfigOutput, string> {
  const output = (name: string) => model.outputs[name]?.value;
  const urls = Object.fromEntries(
    Object.entries(LOCAL_PATHS).map(([name, suffix]) => {
      const value = output(name);
      return [name, isThisStack(value, port) ? value : `${localOrigin(port)}${suffix}`];
    }),
  ) as Record<Exclude<ConfigOutput, 'UserPoolClientId'>, string>;
  // The local provider registers the template's UserPoolClient under its local name: its logical id.
  return { ...urls, UserPoolClientId: output('UserPoolClientId') ?? 'UserPoolClient' };
}

export function localWebConfig(model: StackModel, port: number): WebConfig {
  const maxBytes = uploadMaxBytesOf(model.parameters);
  return webConfigFromOutputs(localWebOutputs(model, port), {
    region: model.identity.region,
    onAws: false,
    ...(maxBytes === undefined ? {} : { uploadMaxBytes: maxBytes }),
  });
}

/** Presigned URLs name the stack's endpoint (127.0.0.1) or the name the browser used (localhost): both are here. */
export function localAppOrigins(config: WebConfig, model: StackModel, port: number): AppOrigins {
  return {
    api: config.apiUrl,
    auth: [config.auth.authority],
    storage: [localOrigin(port), new URL(model.identity.endpoint).origin],
  };
}
