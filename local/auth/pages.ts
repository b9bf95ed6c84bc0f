import { randomBytes } from 'node:crypto';

/**
 * The local provider's pages: plain server-rendered HTML, no script (but the sign-out page's one-line submit), one
 * labelled field per value, errors in words announced to screen readers and tied to their field, keyboard order as
 * read. Every value is escaped; every form carries its CSRF token.
 */
export interface Page {
  body: string;
  csp: string;
}

export interface FormState {
  /** Where the form posts. */
  action: string;
  csrf: string;
  error?: string;
  notice?: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.5rem;margin:0 0 .25rem}p.lead{margin:0 0 1.5rem;color:#4a5260}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.6rem;font:inherit;border:1px solid #8a93a3;border-radius:4px}
input[aria-invalid=true]{border-color:#b3261e}
.hint{font-size:.875rem;color:#4a5260;margin:.25rem 0 0}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#1f5fbf;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#fff;color:#1f5fbf;border:1px solid #1f5fbf;margin-top:.75rem}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.error{padding:.75rem;border-left:4px solid #b3261e;background:#fdecea}
.notice{padding:.75rem;border-left:4px solid #1f7a3f;background:#e8f5ec}
a{color:#1f5fbf}`;

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}

function layout(title: string, content: string, csp = CSP): Page {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · local stack</title><style>${STYLE}</style></head><body><main>${content}</main></body></html>`;
  return { body, csp };
}

function messages(state: FormState): string {
  const error = state.error ? `<p id="form-error" class="error" role="alert">${escapeHtml(state.error)}</p>` : '';
  const notice = state.notice ? `<p class="notice" role="status">${escapeHtml(state.notice)}</p>` : '';
  return error + notice;
}

function field(options: {
  id: string;
  label: string;
  type: string;
  autocomplete: string;
  value?: string;
  hint?: string;
  invalid?: boolean;
  extra?: string;
}): string {
  const described = [options.hint ? `${options.id}-hint` : '', options.invalid ? 'form-error' : '']
    .filter(Boolean)
    .join(' ');
  return (
    `<label for="${options.id}">${escapeHtml(options.label)}</label>` +
    `<input id="${options.id}" name="${options.id}" type="${options.type}" autocomplete="${options.autocomplete}" required` +
    (options.value !== undefined ? ` value="${escapeHtml(options.value)}"` : '') +
    (described ? ` aria-describedby="${described}"` : '') +
    (options.invalid ? ' aria-invalid="true"' : '') +
    (options.extra ? ` ${options.extra}` : '') +
    '>' +
    (options.hint ? `<p id="${options.id}-hint" class="hint">${escapeHtml(options.hint)}</p>` : '')
  );
}

function form(state: FormState, fields: string, button: string): string {
  return (
    `<form method="post" action="${escapeHtml(state.action)}" novalidate>` +
    `<input type="hidden" name="csrf" value="${escapeHtml(state.csrf)}">${fields}` +
    `<button type="submit">${escapeHtml(button)}</button></form>`
  );
}

/** The e-mail and password fields both account forms have; the password's autocomplete tells browsers which. */
function accountFields(
  state: FormState & { email?: string },
  password: 'current-password' | 'new-password',
  hint?: string,
) {
  const invalid = !!state.error;
  return (
    field({
      id: 'email',
      label: 'E-mail address',
      type: 'email',
      autocomplete: 'username',
      value: state.email ?? '',
      invalid,
      extra: 'autofocus',
    }) +
    field({
      id: 'password',
      label: 'Password',
      type: 'password',
      autocomplete: password,
      invalid,
      ...(hint ? { hint } : {}),
    })
  );
}

export function signInPage(state: FormState & { email?: string; client: string; signUpHref: string }): Page {
  return layout(
    'Sign in',
    `<h1>Sign in</h1><p class="lead">to ${escapeHtml(state.client)} on the local stack</p>${messages(state)}` +
      form(state, accountFields(state, 'current-password'), 'Sign in') +
      `<p>No account yet? <a href="${escapeHtml(state.signUpHref)}">Create an account</a></p>`,
  );
}

export function signUpPage(state: FormState & { email?: string; policy: string; signInHref: string }): Page {
  return layout(
    'Create an account',
    `<h1>Create an account</h1><p class="lead">on the local stack's user pool</p>${messages(state)}` +
      form(state, accountFields(state, 'new-password', state.policy), 'Create account') +
      `<p>Already have an account? <a href="${escapeHtml(state.signInHref)}">Sign in</a></p>`,
  );
}

export function confirmPage(
  state: FormState & { email: string; ticket: string; inbox: string; resendAction: string },
): Page {
  const hidden =
    `<input type="hidden" name="email" value="${escapeHtml(state.email)}">` +
    `<input type="hidden" name="ticket" value="${escapeHtml(state.ticket)}">`;
  const code = field({
    id: 'code',
    label: 'Verification code',
    type: 'text',
    autocomplete: 'one-time-code',
    invalid: !!state.error,
    extra: 'inputmode="numeric" autofocus',
  });
  const resend =
    `<form method="post" action="${escapeHtml(state.resendAction)}"><input type="hidden" name="csrf" value="${escapeHtml(state.csrf)}">${hidden}` +
    '<button type="submit" class="secondary">Send a new code</button></form>';
  return layout(
    'Confirm your e-mail address',
    `<h1>Confirm your e-mail address</h1><p class="lead">We sent a 6-digit code to ${escapeHtml(state.email)}. ` +
      `The local stack does not send e-mail: the code is printed by <code>npm start</code> and written to ${escapeHtml(state.inbox)}.</p>` +
      messages(state) +
      form(state, hidden + code, 'Confirm') +
      resend,
  );
}

export function errorPage(message: string): Page {
  return layout(
    'Sign-in problem',
    `<h1>Sign-in problem</h1><p class="error" role="alert">${escapeHtml(message)}</p>` +
      '<p>Go back to the app and sign in again.</p>',
  );
}

/** oidc-provider's sign-out confirmation form, submitted at once (Cognito's /logout asks nothing). */
export function logoutPage(providerForm: string): Page {
  const nonce = randomBytes(16).toString('base64');
  const page = layout(
    'Sign out',
    `<h1>Sign out</h1>${providerForm}<p>Signing you out of the local stack…</p>` +
      '<button type="submit" form="op.logoutForm" name="logout" value="yes" id="sign-out">Sign out</button>' +
      `<script nonce="${nonce}">document.getElementById('sign-out').click()</script>`,
    `${CSP}; script-src 'nonce-${nonce}'`,
  );
  return page;
}

export function signedOutPage(): Page {
  return layout('Signed out', '<h1>Signed out</h1><p role="status">You are signed out of the local stack.</p>');
}
