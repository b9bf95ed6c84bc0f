import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody } from '../http/respond';
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
  authDir: string;
  log(line: string): void;
}

type Fields = Record<string, string>;
interface Step {
  uid: string;
  clientName: string;
  action: (name: string) => string;
  csrf: string;
}

const PATH = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|signup|confirm|resend))?$/;
const FORM_LIMIT = 16 * 1024;

export function interactionHandler(options: InteractionOptions) {
  const { provider, users } = options;
  const sign = (text: string) => createHmac('sha256', options.secret).update(text).digest('base64url');
  const ticketFor = (uid: string, email: string) => sign(`confirm:${uid}:${email}`);

  async function finishLogin(req: IncomingMessage, res: ServerResponse, accountId: string) {
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }

  function confirmStep(step: Step, email: string, state: { error?: string; notice?: string } = {}): Page {
    return confirmPage({
      action: step.action('confirm'),
      resendAction: step.action('resend'),
      csrf: step.csrf,
      email,
      ticket: ticketFor(step.uid, email),
      inbox: `${options.authDir}/inbox.jsonl`,
      ...state,
    });
  }

  function signIn(step: Step, state: { email?: string; error?: string; notice?: string } = {}): Page {
    return signInPage({
      action: step.action('login'),
      csrf: step.csrf,
      client: step.clientName,
      signUpHref: step.action('signup'),
      ...state,
    });
  }

  function signUp(step: Step, state: { email?: string; error?: string } = {}): Page {
    return signUpPage({
      action: step.action('signup'),
      csrf: step.csrf,
      policy: describePolicy(options.policy),
      signInHref: step.action(''),
      ...state,
    });
  }

  async function post(req: IncomingMessage, res: ServerResponse, step: Step, name: string, fields: Fields) {
    const email = fields.email ?? '';
    try {
      if (name === 'login') {
        const user = await users.signIn(email, fields.password ?? '');
        return await finishLogin(req, res, user.sub);
      }
      if (name === 'signup') {
        const { user, code } = await users.signUp(email, fields.password ?? '');
        sendCode(options.authDir, user.email, code, options.log);
        return sendPage(res, 200, confirmStep(step, user.email));
      }
      if (!timingSafeEquals(fields.ticket ?? '', ticketFor(step.uid, email)))
        return sendPage(
          res,
          403,
          signIn(step, { email, error: 'Sign in with your password to confirm this account.' }),
        );
      if (name === 'resend') {
        const sent = users.resendCode(email);
        if (sent) sendCode(options.authDir, sent.user.email, sent.code, options.log);
        return sendPage(res, 200, confirmStep(step, email, { notice: 'We sent a new code.' }));
      }
      const user = users.confirm(email, fields.code ?? '');
      return await finishLogin(req, res, user.sub);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.code === 'UserNotConfirmedException')
        return sendPage(res, 200, confirmStep(step, email, { notice: error.message }));
      const page =
        name === 'login'
          ? signIn(step, { email, error: error.message })
          : name === 'signup'
            ? signUp(step, { email, error: error.message })
            : confirmStep(step, email, { error: error.message });
      return sendPage(res, 400, page);
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const match = PATH.exec(path);
    if (!match) return sendPage(res, 404, errorPage('There is no such page.'));
    const [, uid = '', name = ''] = match;
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return sendPage(res, 400, errorPage('This sign-in page has expired or was opened in another browser.'));
    }
    if (details.uid !== uid) return sendPage(res, 400, errorPage('This sign-in page does not belong to this sign-in.'));
    const step: Step = {
      uid,
      clientName: String(details.params.client_id ?? 'the app'),
      action: (next) => `${options.mount}/interaction/${uid}${next ? `/${next}` : ''}`,
      csrf: sign(`csrf:${uid}`),
    };
    if (req.method === 'GET' || req.method === 'HEAD')
      return sendPage(res, 200, name === 'signup' ? signUp(step) : signIn(step));
    if (req.method !== 'POST' || !name) return sendPage(res, 405, errorPage('This page takes no such request.'));
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
      return sendPage(res, 403, errorPage('This form was sent from another site.'));
    const fields = Object.fromEntries(new URLSearchParams((await readBody(req, FORM_LIMIT)).toString('utf8')));
    if (!timingSafeEquals(fields.csrf ?? '', step.csrf))
      return sendPage(res, 403, errorPage('This form has expired; go back to the app and sign in again.'));
    await post(req, res, step, name, fields);
  };
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
    'referrer-policy': 'no-referrer',
  });
  res.end(page.body);
}
