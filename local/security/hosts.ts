import os from 'node:os';

/**
 * Which Host headers the stack answers: DNS rebinding makes a page of another site talk to 127.0.0.1 under that
 * site's own name, so a request is served only when its Host names this stack. Loopback names with the stack's port
 * always do (`localhost`, `127.0.0.1`, `[::1]`, and `<bucket>.localhost`, which browsers resolve to loopback
 * themselves and no DNS answer can rebind); the address the stack binds and names configured with
 * `--allow-host`/`LOCAL_STACK_ALLOWED_HOSTS` (`name` on the stack's port, or an exact `name:port`) do too. A stack bound
 * to every interface also answers its machine's own addresses, the names the network reaches it by.
 */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export interface AllowedHosts {
  port: number;
  /** Names (lower case, IPv6 in brackets) answered on the stack's port. */
  names: Set<string>;
  /** Exact host:port pairs answered whatever the stack's port. */
  hostPorts: Set<string>;
}

export function allowedHosts(port: number, bindHost: string, configured: readonly string[]): AllowedHosts {
  const names = new Set(LOOPBACK_NAMES);
  const hostPorts = new Set<string>();
  if (WILDCARDS.has(bindHost)) for (const address of interfaceAddresses()) names.add(address);
  else names.add(bracketed(bindHost.toLowerCase()));
  for (const entry of configured.map((text) => text.trim().toLowerCase()).filter(Boolean)) {
    if (/:\d+$/.test(entry) && !/^[0-9a-f:]+$/.test(entry)) hostPorts.add(entry);
    else names.add(bracketed(entry));
  }
  return { port, names, hostPorts };
}

/** The names of LOCAL_STACK_ALLOWED_HOSTS (comma-separated). */
export function configuredHosts(env: NodeJS.ProcessEnv, option?: readonly string[]): string[] {
  return [...(option ?? []), ...(env.LOCAL_STACK_ALLOWED_HOSTS ?? '').split(',')]
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** Why a Host header is refused, or undefined when it names this stack. */
export function hostRefusal(host: string | undefined, allowed: AllowedHosts): string | undefined {
  const listed = [...allowed.names].join(', ');
  if (!host) return `The request has no Host header; the local stack answers ${listed} on port ${allowed.port}`;
  const text = host.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const [, name = '', port] = match ?? [];
  const onPort = port === undefined ? allowed.port === 80 : Number(port) === allowed.port;
  const known =
    allowed.hostPorts.has(text) ||
    (onPort && (allowed.names.has(name) || /^[a-z0-9][a-z0-9.-]*\.localhost$/.test(name)));
  if (known) return undefined;
  return (
    `Host "${host.slice(0, 100)}" is not this local stack's: it answers ${listed} on port ${allowed.port} ` +
    '(add a name with --allow-host or LOCAL_STACK_ALLOWED_HOSTS)'
  );
}

/** The stack's own origins: where its web app is served, on every name it answers (bucket hosts aside). */
export function ownOrigins(allowed: AllowedHosts): Set<string> {
  const origins = new Set<string>();
  for (const name of allowed.names) {
    origins.add(`http://${name}:${allowed.port}`);
    if (allowed.port === 80) origins.add(`http://${name}`);
  }
  for (const hostPort of allowed.hostPorts) origins.add(`http://${hostPort}`);
  return origins;
}

/** True when the address the stack listens on is reachable from other machines. */
export function isNetworkReachable(bindHost: string): boolean {
  const name = bindHost.toLowerCase().replace(/^\[|\]$/g, '');
  return !(name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name));
}

function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined)
    .map((entry) => bracketed(entry.address.toLowerCase()));
}

function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** What `--host` with an address other machines reach means, said when the stack starts; undefined on loopback. */
export function exposureWarning(bindHost: string, port: number): string | undefined {
  if (!isNetworkReachable(bindHost)) return undefined;
  return (
    `WARNING: the local stack listens on ${bindHost}:${port} and is reachable from the network: anyone who can reach ` +
    'this machine can read and write its buckets, tables and executions with any credentials (nothing is checked ' +
    'but their presence). Bind 127.0.0.1 (the default) unless that is what you want.'
  );
}
