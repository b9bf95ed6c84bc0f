import { codeFlowTokens, CodeFlowError, type TokenSet } from '../auth/code-flow-client';
import { latestCode } from '../auth/inbox';
import { parseArgs, quietNodeVersionWarning, stringOption, UsageError } from './args';

/**
 * npm run -s token -- --user alice [--endpoint URL] [--password P] [--id-token]: prints only an access token of that
 * user of the running local stack, signing the user up first (with the e-mailed code from the stack's inbox) when the
 * pool does not know them. It goes through the provider's authorization code + PKCE flow over HTTP, like a browser.
 */
const DEFAULT_ENDPOINT = 'http://localhost:4566';
/** Meets Cognito's default policy (8+ characters, upper, lower, digit, symbol); local users only. */
export const DEFAULT_PASSWORD = 'Local-password-1';

class StackUnreachable extends Error {
  override readonly name = 'StackUnreachable';
}

interface Health {
  dataDir: string;
  outputs: Record<string, string>;
  auth?: { issuer: string; clients: { clientId: string; redirectUris: string[] }[] };
}

async function health(endpoint: string): Promise<Health> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/_local/health`);
  } catch {
    throw new StackUnreachable(
      `no local stack answers at ${endpoint} (start one with npm start, or pass --endpoint URL)`,
    );
  }
  if (!response.ok)
    throw new StackUnreachable(`${endpoint} is not a local stack (/_local/health answered ${response.status})`);
  return (await response.json()) as Health;
}

/** "alice" -> alice@example.com; an e-mail address stays as given. */
export function emailOf(user: string): string {
  return user.includes('@') ? user : `${user}@example.com`;
}

export interface LocalTokenOptions {
  /** The stack's endpoint, such as http://localhost:4566. */
  endpoint: string;
  /** A name (alice -> alice@example.com) or an e-mail address. */
  user: string;
  password?: string;
  /** The app client; default the stack's UserPoolClientId output. */
  clientId?: string;
}

/**
 * The tokens of a user of the running stack, signed up first when the pool does not know them, through the
 * provider's code + PKCE flow over HTTP: what this CLI prints, and what the end-to-end tests sign in with.
 */
export async function localUserTokens(options: LocalTokenOptions): Promise<TokenSet> {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const stack = await health(endpoint);
  if (!stack.auth) throw new StackUnreachable(`the stack at ${endpoint} has no user pool (AWS::Cognito::UserPool)`);
  const clientId = options.clientId ?? stack.outputs.UserPoolClientId ?? stack.auth.clients[0]?.clientId;
  const client = stack.auth.clients.find((candidate) => candidate.clientId === clientId);
  if (!client?.redirectUris[0])
    throw new UsageError(`the stack has no app client ${clientId ?? ''} with a callback URL`);
  return codeFlowTokens({
    issuer: stack.auth.issuer,
    clientId: client.clientId,
    redirectUri: client.redirectUris[0],
    email: emailOf(options.user),
    password: options.password ?? DEFAULT_PASSWORD,
    readCode: (email) => latestCode(stack.dataDir, email),
  });
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { values: ['user', 'endpoint', 'password', 'client'], flags: ['id-token', 'help'] });
  if (args.options.help) {
    process.stdout.write(
      'Usage: npm run -s token -- --user NAME|EMAIL [--endpoint http://localhost:4566] [--password P] [--client ID] [--id-token]\n',
    );
    return;
  }
  const user = stringOption(args, 'user');
  if (!user) throw new UsageError('--user is required (a name such as alice, or an e-mail address)');
  const password = stringOption(args, 'password');
  const clientId = stringOption(args, 'client');
  const tokens = await localUserTokens({
    endpoint: stringOption(args, 'endpoint') ?? DEFAULT_ENDPOINT,
    user,
    ...(password === undefined ? {} : { password }),
    ...(clientId === undefined ? {} : { clientId }),
  });
  process.stdout.write(`${args.options['id-token'] ? tokens.id_token : tokens.access_token}\n`);
}

if (require.main === module) {
  quietNodeVersionWarning();
  main(process.argv.slice(2)).catch((error: unknown) => {
    const known = [UsageError, StackUnreachable, CodeFlowError].some((type) => error instanceof type);
    process.stderr.write(`token: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    process.exit(1);
  });
}
