import { expect } from 'chai';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describePolicy, passwordProblems, type PasswordPolicy } from '../../../local/auth/password-policy';
import { AuthError, hashPassword, UserStore, verifyPassword } from '../../../local/auth/user-store';
import { latestCode, sendCode } from '../../../local/auth/inbox';
import { deliverMail, readInbox } from '../../../local/inbox';
import { logoutPage, signInPage } from '../../../local/auth/pages';
import { tempDir } from '../../support/test-stack';

const cognitoDefault: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

describe('password policy', () => {
  it('accepts a password that meets every rule', () => {
    expect(passwordProblems('Local-password-1', cognitoDefault)).to.deep.equal([]);
    expect(passwordProblems('Ab1 cdefg', cognitoDefault)).to.deep.equal([]);
  });

  it('names each rule a password breaks, in words', () => {
    expect(passwordProblems('abc', cognitoDefault)).to.deep.equal([
      'The password must have at least 8 characters.',
      'The password must contain an upper-case letter (A-Z).',
      'The password must contain a digit (0-9).',
      'The password must contain a symbol, such as ! @ # $ % ^ & * - _ or a space.',
    ]);
    expect(passwordProblems(' Abcdef1! ', cognitoDefault)).to.deep.equal([
      'The password must not start or end with a space.',
    ]);
  });

  it('asks only what the policy asks', () => {
    const loose = {
      minimumLength: 6,
      requireLowercase: false,
      requireUppercase: false,
      requireNumbers: false,
      requireSymbols: false,
    };
    expect(passwordProblems('aaaaaa', loose)).to.deep.equal([]);
    expect(describePolicy(loose)).to.equal('At least 6 characters.');
    expect(describePolicy(cognitoDefault)).to.equal(
      'At least 8 characters, with a lower-case letter, an upper-case letter, a digit, a symbol.',
    );
  });
});

describe('local user store', () => {
  let dir: string;
  const file = () => path.join(dir, 'users.json');
  beforeEach(() => (dir = tempDir('users-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const codeOf = async (promise: Promise<unknown> | (() => unknown)) => {
    try {
      await (typeof promise === 'function' ? promise() : promise);
    } catch (error) {
      expect(error).to.be.instanceOf(AuthError);
      return (error as AuthError).code;
    }
    throw new Error('expected an AuthError');
  };

  it('hashes passwords with scrypt and a salt of their own, and checks them', async () => {
    const [a, b] = [await hashPassword('Same-password-1'), await hashPassword('Same-password-1')];
    expect(a).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.to.equal(b);
    expect(await verifyPassword('Same-password-1', a)).to.equal(true);
    expect(await verifyPassword('same-password-1', a)).to.equal(false);
  });

  it('signs a user up unconfirmed, confirms the e-mailed code, then signs them in', async () => {
    const store = new UserStore(file(), cognitoDefault);
    const { user, code } = await store.signUp(' Alice@Example.com ', 'Local-password-1');
    expect(user).to.include({ email: 'alice@example.com', status: 'UNCONFIRMED', emailVerified: false });
    expect(code).to.match(/^\d{6}$/);
    expect(await codeOf(store.signIn('alice@example.com', 'Local-password-1'))).to.equal('UserNotConfirmedException');
    expect(store.confirm('alice@example.com', code)).to.include({ status: 'CONFIRMED', emailVerified: true });
    expect((await store.signIn('ALICE@example.com', 'Local-password-1')).sub).to.equal(user.sub);
  });

  it('keeps users in a file only its owner reads, without the password or the code in clear', async () => {
    const store = new UserStore(file(), cognitoDefault);
    const { code } = await store.signUp('bob@example.com', 'Bob-password-22');
    const text = readFileSync(file(), 'utf8');
    expect(text).not.to.include('Bob-password-22');
    expect(text).not.to.include(`"${code}"`);
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
    const reloaded = new UserStore(file(), cognitoDefault);
    reloaded.confirm('bob@example.com', code);
    expect((await reloaded.signIn('bob@example.com', 'Bob-password-22')).email).to.equal('bob@example.com');
  });

  it('refuses a taken e-mail, a bad e-mail, a weak password; the same words for a wrong e-mail and a wrong password', async () => {
    const store = new UserStore(file(), cognitoDefault);
    const { code } = await store.signUp('carol@example.com', 'Carol-password-3');
    store.confirm('carol@example.com', code);
    expect(await codeOf(store.signUp('CAROL@example.com', 'Carol-password-3'))).to.equal('UsernameExistsException');
    expect(await codeOf(store.signUp('carol', 'Carol-password-3'))).to.equal('InvalidParameterException');
    expect(await codeOf(store.signUp('dan@example.com', 'weak'))).to.equal('InvalidPasswordException');
    const wrong = await store.signIn('carol@example.com', 'Wrong-password-3').catch((error: Error) => error.message);
    const unknown = await store.signIn('nobody@example.com', 'Carol-password-3').catch((error: Error) => error.message);
    expect(wrong).to.equal(unknown);
  });

  it('refuses a wrong code, then any code after five wrong ones, until a new code is sent', async () => {
    const store = new UserStore(file(), cognitoDefault);
    const { code } = await store.signUp('erin@example.com', 'Erin-password-4');
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 5; attempt += 1)
      expect(await codeOf(() => store.confirm('erin@example.com', wrongCode))).to.equal('CodeMismatchException');
    expect(await codeOf(() => store.confirm('erin@example.com', code))).to.equal('LimitExceededException');
    const fresh = store.resendCode('erin@example.com');
    expect(store.confirm('erin@example.com', fresh?.code ?? '')).to.include({ status: 'CONFIRMED' });
    expect(store.resendCode('erin@example.com')).to.equal(undefined);
  });

  it('writes codes to the inbox file, where the newest one for an address is found', () => {
    const lines: string[] = [];
    sendCode(dir, 'a@example.com', '111111', (line) => lines.push(line));
    sendCode(dir, 'b@example.com', '222222', (line) => lines.push(line));
    sendCode(dir, 'a@example.com', '333333', (line) => lines.push(line));
    expect(latestCode(dir, 'a@example.com')).to.equal('333333');
    expect(latestCode(dir, 'c@example.com')).to.equal(undefined);
    expect(lines[0]).to.include('a@example.com: 111111');
    // One inbox for the stack: an SNS e-mail to the same address is not mistaken for a code.
    deliverMail(dir, { source: 'sns', from: 'x', to: 'a@example.com', subject: 'Photo', text: 'done' });
    expect(latestCode(dir, 'a@example.com')).to.equal('333333');
    expect(readInbox(dir, 'a@example.com').map((mail) => mail.source)).to.deep.equal(['cognito', 'cognito', 'sns']);
  });
});

describe('provider pages', () => {
  it('escapes every value and ties errors to their fields', () => {
    const page = signInPage({
      action: '/_auth/interaction/u/login',
      csrf: 'c"1',
      client: '<App>',
      signUpHref: '/s',
      email: 'a"@x',
      error: 'Bad <thing>',
    });
    expect(page.body).to.include('value="c&quot;1"').and.include('to &lt;App&gt;').and.include('value="a&quot;@x"');
    expect(page.body).to.include('<p id="form-error" class="error" role="alert">Bad &lt;thing&gt;</p>');
    expect(page.body).to.match(/<input id="email"[^>]*aria-describedby="form-error"[^>]*aria-invalid="true"/);
    expect(page.csp).to.include("default-src 'none'").and.not.include('script-src');
    const logout = logoutPage('<form id="op.logoutForm"></form>');
    const nonce = /<script nonce="([^"]+)">/.exec(logout.body)?.[1];
    expect(logout.csp).to.include(`script-src 'nonce-${nonce}'`);
    expect(logout.body).to.include('form="op.logoutForm" name="logout" value="yes"');
  });
});
