import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody } from '../http/respond';
import { inboxFile } from '../inbox';
import { sendCode } from './inbox';
import { describePolicy, type PasswordPolicy } from './password-policy';
import { confirmPage, errorPage, signInPage, signUpPage, type Page } from './pages';
import { AuthError, type UserStore } from './user-store';

/**
 * The sign-in, sign-up and confirmation steps of an authorization request (oidc-provider's "interaction"), at
 * <mount>/interaction/{uid}[/login|/signup|/confirm|/resend]. oidc-provider binds the uid to a cookie of the browser
 * that started the request; every form also carries a token derived from the uid (CSRF), a cross-origin POST is
 * refused, and the confirmation step needs a ticket that only a sign-up or a right password in this interaction gives.
 */
export interface InteractionOptions {
  provider: Provider;
  users: UserStore;
  policy: PasswordPolicy;
  /** Keys the CSRF tokens and tickets. */
  secret: string;
  /** The provider's mount path, e.g. /_auth. */
  mount: string;
  /** The stack's data folder: the codes go to its inbox (../inbox.ts). */
  dataDir: string;
  log(line: string): void;
}

type Fields = Record<string, string>;

/** One sign-in (interaction) and the pages of its steps. */
interface Step {
  uid: string;
  action: (name: string) => string;
  csrf: string;
  ticket: (email: string) => string;
  signIn(state?: { email?: string; error?: string; notice?: string }): Page;
  signUp(state?: { email?: string; error?: string }): Page;
  confirm(email: string, state?: { error?: string; notice?: string }): Page;
}

const PATH = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|signup|confirm|resend))?$/;
const FORM_LIMIT = 16 * 1024;

export function interactionHandler(options: InteractionOptions) {
  const sign = (text: string) => createHmac('sha256', options.secret).update(text).digest('base64url');
  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const match = PATH.exec(path);
    if (!match) return sendPage(res, 404, errorPage('There is no such page.'));
    const [, uid = '', name = ''] = match;
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await options.provider.interactionDetails(req, res);
    } catch {
      return sendPage(res, 400, errorPage('This sign-in page has expired or was opened in another browser.'));
    }
    if (details.uid !== uid) return sendPage(res, 400, errorPage('This sign-in page does not belong to this sign-in.'));
    const step = stepOf(uid, String(details.params.client_id ?? 'the app'), sign, options);
    if (req.method === 'GET' || req.method === 'HEAD')
      return sendPage(res, 200, name === 'signup' ? step.signUp() : step.signIn());
    if (req.method !== 'POST' || !name) return sendPage(res, 405, errorPage('This page takes no such request.'));
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
      return sendPage(res, 403, errorPage('This form was sent from another site.'));
    const fields = Object.fromEntries(new URLSearchParams((await readBody(req, FORM_LIMIT)).toString('utf8')));
    if (!timingSafeEquals(fields.csrf ?? '', step.csrf))
      return sendPage(res, 403, errorPage('This form has expired; go back to the app and sign in again.'));
    try {
      await post(req, res, step, name, fields, options);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const email = fields.email ?? '';
      if (error.code === 'UserNotConfirmedException')
        return sendPage(res, 200, step.confirm(email, { notice: error.message }));
      const state = { email, error: error.message };
      const page =
        name === 'login' ? step.signIn(state) : name === 'signup' ? step.signUp(state) : step.confirm(email, state);
      sendPage(res, 400, page);
    }
  };
}

function stepOf(uid: string, clientName: string, sign: (text: string) => string, options: InteractionOptions): Step {
  const action = (next: string) => `${options.mount}/interaction/${uid}${next ? `/${next}` : ''}`;
  const csrf = sign(`csrf:${uid}`);
  const ticket = (email: string) => sign(`confirm:${uid}:${email}`);
  return {
    uid,
    action,
    csrf,
    ticket,
    signIn: (state = {}) =>
      signInPage({ action: action('login'), csrf, client: clientName, signUpHref: action('signup'), ...state }),
    signUp: (state = {}) =>
      signUpPage({
        action: action('signup'),
        csrf,
        policy: describePolicy(options.policy),
        signInHref: action(''),
        ...state,
      }),
    confirm: (email, state = {}) =>
      confirmPage({
        action: action('confirm'),
        resendAction: action('resend'),
        csrf,
        email,
        ticket: ticket(email),
        inbox: inboxFile(options.dataDir),
        ...state,
      }),
  };
}

/** A submitted step: sign in, sign up, resend the code or confirm it; AuthErrors are for the caller to show. */
async function post(
  req: IncomingMessage,
  res: ServerResponse,
  step: Step,
  name: string,
  fields: Fields,
  options: InteractionOptions,
): Promise<void> {
  const { users, provider } = options;
  const email = fields.email ?? '';
  const finishLogin = (accountId: string) =>
    provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  if (name === 'login') return finishLogin((await users.signIn(email, fields.password ?? '')).sub);
  if (name === 'signup') {
    const { user, code } = await users.signUp(email, fields.password ?? '');
    sendCode(options.dataDir, user.email, code, options.log);
    return sendPage(res, 200, step.confirm(user.email));
  }
  if (!timingSafeEquals(fields.ticket ?? '', step.ticket(email)))
    return sendPage(res, 403, step.signIn({ email, error: 'Sign in with your password to confirm this account.' }));
  if (name === 'resend') {
    const sent = users.resendCode(email);
    if (sent) sendCode(options.dataDir, sent.user.email, sent.code, options.log);
    return sendPage(res, 200, step.confirm(email, { notice: 'We sent a new code.' }));
  }
  return finishLogin(users.confirm(email, fields.code ?? '').sub);
}

function timingSafeEquals(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sendPage(res: ServerResponse, status: number, page: Page): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page.body),
    'content-security-policy': page.csp,
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
    // Not no-referrer: under it a browser sends `Origin: null` with the page's own form posts, which the origin
    // check above refuses. same-origin still tells other sites nothing.
    'referrer-policy': 'same-origin',
  });
  res.end(page.body);
}
