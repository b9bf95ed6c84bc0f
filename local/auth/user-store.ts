import {
  createHash,
  randomInt,
  randomUUID,
  scrypt,
  timingSafeEqual,
  randomBytes,
  type ScryptOptions,
} from 'node:crypto';
import { readJson, writeJson } from './json-file';
import { passwordProblems, type PasswordPolicy } from './password-policy';

/**
 * The local user pool's users, persisted in one file: e-mail as the username (lower-cased), a random sub, the
 * password as an scrypt hash with its own salt, and Cognito's sign-up states (UNCONFIRMED until the e-mailed code is
 * entered, then CONFIRMED). Errors carry Cognito's exception names and say what went wrong in words.
 */
export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED';

export interface UserRecord {
  sub: string;
  email: string;
  emailVerified: boolean;
  status: UserStatus;
  passwordHash: string;
  createdAt: string;
  verification?: { codeHash: string; expiresAt: string; attempts: number };
}

export class AuthError extends Error {
  constructor(
    readonly code:
      | 'UsernameExistsException'
      | 'InvalidPasswordException'
      | 'InvalidParameterException'
      | 'NotAuthorizedException'
      | 'UserNotConfirmedException'
      | 'CodeMismatchException'
      | 'ExpiredCodeException'
      | 'LimitExceededException',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
const CODE_TTL_MS = 24 * 3600 * 1000; // Cognito's confirmation codes last 24 hours.
const MAX_CODE_ATTEMPTS = 5;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserStore {
  private users: UserRecord[];
  // A hash to compare against when the user does not exist, so a wrong e-mail costs as much as a wrong password.
  private readonly decoy = hashPassword(randomUUID());

  constructor(
    private readonly file: string,
    private readonly policy: PasswordPolicy,
  ) {
    this.users = readJson<{ users: UserRecord[] }>(file, { users: [] }).users;
  }

  findBySub(sub: string): UserRecord | undefined {
    return this.users.find((user) => user.sub === sub);
  }

  findByEmail(email: string): UserRecord | undefined {
    const wanted = normalizeEmail(email);
    return this.users.find((user) => user.email === wanted);
  }

  /** Creates an UNCONFIRMED user; answers the confirmation code to send. */
  async signUp(email: string, password: string): Promise<{ user: UserRecord; code: string }> {
    const address = normalizeEmail(email);
    if (!EMAIL.test(address) || address.length > 254)
      throw new AuthError('InvalidParameterException', 'Enter an e-mail address such as alice@example.com.');
    const problems = passwordProblems(password, this.policy);
    if (problems.length > 0) throw new AuthError('InvalidPasswordException', problems.join(' '));
    if (this.findByEmail(address))
      throw new AuthError('UsernameExistsException', 'An account with this e-mail address already exists.');
    const user: UserRecord = {
      sub: randomUUID(),
      email: address,
      emailVerified: false,
      status: 'UNCONFIRMED',
      passwordHash: await hashPassword(password),
      createdAt: new Date().toISOString(),
    };
    this.users.push(user);
    const code = this.newCode(user);
    this.save();
    return { user, code };
  }

  /** The user whose password this is; throws NotAuthorized (same words for a wrong e-mail) or UserNotConfirmed. */
  async signIn(email: string, password: string): Promise<UserRecord> {
    const user = this.findByEmail(email);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    if (!user || !matches) throw new AuthError('NotAuthorizedException', 'Incorrect e-mail address or password.');
    if (user.status !== 'CONFIRMED')
      throw new AuthError('UserNotConfirmedException', 'This account is not confirmed yet: enter the code we sent.');
    return user;
  }

  confirm(email: string, code: string): UserRecord {
    const user = this.findByEmail(email);
    const pending = user?.verification;
    if (!user || !pending) throw new AuthError('CodeMismatchException', 'This code is not valid; ask for a new one.');
    if (Date.parse(pending.expiresAt) < Date.now())
      throw new AuthError('ExpiredCodeException', 'This code has expired; ask for a new one.');
    if (pending.attempts >= MAX_CODE_ATTEMPTS)
      throw new AuthError('LimitExceededException', 'Too many wrong codes; ask for a new one.');
    const given = createHash('sha256').update(code.trim()).digest();
    if (!timingSafeEqual(given, Buffer.from(pending.codeHash, 'base64'))) {
      pending.attempts += 1;
      this.save();
      throw new AuthError('CodeMismatchException', 'This code is not the one we sent; check it and try again.');
    }
    user.status = 'CONFIRMED';
    user.emailVerified = true;
    delete user.verification;
    this.save();
    return user;
  }

  /** A new code for an unconfirmed user (undefined for a confirmed or unknown one: nothing to send). */
  resendCode(email: string): { user: UserRecord; code: string } | undefined {
    const user = this.findByEmail(email);
    if (!user || user.status === 'CONFIRMED') return undefined;
    const code = this.newCode(user);
    this.save();
    return { user, code };
  }

  private newCode(user: UserRecord): string {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.verification = {
      codeHash: createHash('sha256').update(code).digest('base64'),
      expiresAt: new Date(Date.now() + CODE_TTL_MS).toISOString(),
      attempts: 0,
    };
    return code;
  }

  private save(): void {
    writeJson(this.file, { users: this.users });
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions = SCRYPT): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
