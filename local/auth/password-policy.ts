/**
 * A user pool's password policy, checked the way Cognito does, with the reasons in words for the sign-up page.
 * Cognito's symbols are the ASCII punctuation below and the space (not at the start or end: Cognito trims).
 */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');
const MAX_LENGTH = 256;

/** The rules the password breaks, each a sentence; empty when it is acceptable. */
export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  const chars = [...password];
  if (chars.length < policy.minimumLength)
    problems.push(`The password must have at least ${policy.minimumLength} characters.`);
  if (chars.length > MAX_LENGTH) problems.push(`The password must have at most ${MAX_LENGTH} characters.`);
  if (password !== password.trim()) problems.push('The password must not start or end with a space.');
  if (policy.requireLowercase && !/[a-z]/.test(password))
    problems.push('The password must contain a lower-case letter (a-z).');
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    problems.push('The password must contain an upper-case letter (A-Z).');
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('The password must contain a digit (0-9).');
  if (policy.requireSymbols && !chars.some((char) => SYMBOLS.has(char)))
    problems.push('The password must contain a symbol, such as ! @ # $ % ^ & * - _ or a space.');
  return problems;
}

/** The policy in one sentence, shown beside the password field. */
export function describePolicy(policy: PasswordPolicy): string {
  const needs = [
    policy.requireLowercase ? 'a lower-case letter' : '',
    policy.requireUppercase ? 'an upper-case letter' : '',
    policy.requireNumbers ? 'a digit' : '',
    policy.requireSymbols ? 'a symbol' : '',
  ].filter(Boolean);
  const tail = needs.length > 0 ? `, with ${needs.join(', ')}` : '';
  return `At least ${policy.minimumLength} characters${tail}.`;
}
