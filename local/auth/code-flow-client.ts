import { createHash, randomBytes } from 'node:crypto';

/**
 * A user-agent for the local provider's authorization code + PKCE flow, over HTTP like a browser: discovery, the
 * authorization request, the sign-in page (or sign-up and e-mail confirmation), the redirect with the code, and the
 * token request. `npm run token` and the end-to-end tests use it; it signs nothing itself.
 */
export interface CodeFlowOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  email: string;
  password: string;
  scope?: string;
  /** When given, an unknown user is signed up, and this answers the code the pool "e-mailed" to them. */
  readCode?: (email: string) => string | undefined | Promise<string | undefined>;
}

export interface TokenSet {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

export class CodeFlowError extends Error {
  override readonly name = 'CodeFlowError';
}

interface Answer {
  url: string;
  status: number;
  location?: string;
  body: string;
}

export async function codeFlowTokens(options: CodeFlowOptions): Promise<TokenSet> {
  const agent = new CookieAgent();
  const discovery = await getJson(`${options.issuer}/.well-known/openid-configuration`);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(String(discovery.authorization_endpoint));
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid email profile',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const page = await agent.follow(await agent.request(authorize.href), options.redirectUri);
  const redirect = await signIn(agent, page, options);
  const callback = new URL(redirect);
  if (callback.searchParams.get('state') !== state) throw new CodeFlowError('The provider answered another state');
  const code = callback.searchParams.get('code');
  if (!code)
    throw new CodeFlowError(`The provider refused: ${callback.searchParams.get('error_description') ?? redirect}`);
  const tokens = await fetch(String(discovery.token_endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      client_id: options.clientId,
      code_verifier: verifier,
    }),
  });
  const body = (await tokens.json()) as TokenSet & { error_description?: string };
  if (!tokens.ok) throw new CodeFlowError(`The token endpoint refused: ${body.error_description ?? tokens.status}`);
  return body;
}

/** From the sign-in page to the redirect back to the client (its URL, with the code). */
async function signIn(agent: CookieAgent, page: Answer, options: CodeFlowOptions): Promise<string> {
  if (page.location) return page.location;
  const form = { email: options.email, password: options.password };
  let answer = await agent.submit(page, 'login', form);
  const loginAction = formAction(answer.body, 'login');
  if (answer.status === 400 && options.readCode && loginAction) {
    const signInError = pageError(answer.body);
    const signUpPage = await agent.request(new URL(loginAction.replace(/login$/, 'signup'), answer.url).href);
    answer = await agent.submit(signUpPage, 'signup', form);
    if (answer.status === 400)
      throw new CodeFlowError(
        `${signInError ?? 'Sign-in refused.'} Signing up failed too: ${pageError(answer.body) ?? answer.status}`,
      );
  }
  if (hiddenValue(answer.body, 'ticket') && options.readCode) {
    const code = await options.readCode(options.email);
    if (!code) throw new CodeFlowError(`No verification code was sent to ${options.email}`);
    answer = await agent.submit(answer, 'confirm', {
      email: hiddenValue(answer.body, 'email') ?? '',
      ticket: hiddenValue(answer.body, 'ticket') ?? '',
      code,
    });
  }
  const done = await agent.follow(answer, options.redirectUri);
  if (done.location) return done.location;
  throw new CodeFlowError(pageError(done.body) ?? `The sign-in did not finish (HTTP ${done.status})`);
}

class CookieAgent {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      const expired = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    const location = response.headers.get('location');
    return {
      url,
      status: response.status,
      ...(location ? { location: new URL(location, url).href } : {}),
      body: await response.text(),
    };
  }

  /** Follows redirects until a page, or until the redirect to `stopAt` (answered with its location). */
  async follow(answer: Answer, stopAt: string): Promise<Answer> {
    let current = answer;
    for (let hops = 0; current.location && hops < 10; hops += 1) {
      if (current.location.startsWith(stopAt)) return current;
      current = await this.request(current.location);
    }
    if (current.location) throw new CodeFlowError('Too many redirects');
    return { url: current.url, status: current.status, body: current.body };
  }

  async submit(page: Answer, step: string, fields: Record<string, string>): Promise<Answer> {
    const action = formAction(page.body, step);
    const csrf = hiddenValue(page.body, 'csrf');
    if (!action || !csrf)
      throw new CodeFlowError(
        pageError(page.body) ?? `The provider did not show its ${step} form (HTTP ${page.status})`,
      );
    return this.request(new URL(action, page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
  }
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok) throw new CodeFlowError(`${url} answered HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

function unescape(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_all, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] as string,
  );
}

function formAction(html: string, step: string): string | undefined {
  const actions = [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((match) => unescape(match[1] ?? ''));
  return actions.find((action) => action.endsWith(`/${step}`));
}

function hiddenValue(html: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return match ? unescape(match[1] ?? '') : undefined;
}

function pageError(html: string): string | undefined {
  const match = /role="alert">([^<]*)</.exec(html);
  return match ? unescape(match[1] ?? '') : undefined;
}
