import { lazyRequire } from '../platform/lazy-require.js';
import { usageError } from '../core/errors.js';
import { isLoopbackHost } from '../core/url.js';

/**
 * Which proxy, if any, a request goes through: HTTPS_PROXY for https:// targets (HTTP_PROXY when it
 * is unset), HTTP_PROXY for http:// ones, lower-case forms first as curl does, NO_PROXY exempting
 * hosts. Loopback targets never go through a proxy. Every proxy variable that is set must be a
 * proper http:// or https:// URL: anything else is a usage error naming the variable, whatever the
 * target, so a typo is caught the first time rather than on the first remote call.
 */

const HTTPS_VARIABLES = ['https_proxy', 'HTTPS_PROXY'] as const;
const HTTP_VARIABLES = ['http_proxy', 'HTTP_PROXY'] as const;
const PROXY_VARIABLES = [...HTTPS_VARIABLES, ...HTTP_VARIABLES] as const;

export interface ProxyChoice {
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
  /** The proxy as it may be shown: scheme, host and port, never the user or password. */
  display: string;
  /** `Basic …` for a proxy URL with credentials. */
  authorization?: string;
}

/** True when a proxy variable is set. */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name]));
}

/** The proxy for `target`, or undefined for a direct connection. Throws exit 2 for a malformed variable. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice | undefined {
  const parsed = new Map<string, URL>();
  for (const variable of PROXY_VARIABLES) {
    const value = env[variable];
    if (value) parsed.set(variable, parseProxyVariable(variable, value));
  }
  if (parsed.size === 0 || isLoopbackHost(target.hostname)) return undefined;
  if (noProxyMatches(target, env.no_proxy || env.NO_PROXY || '', env.no_proxy ? 'no_proxy' : 'NO_PROXY')) return undefined;
  const order = target.protocol === 'https:' ? [...HTTPS_VARIABLES, ...HTTP_VARIABLES] : HTTP_VARIABLES;
  const variable = order.find((name) => parsed.has(name));
  if (variable === undefined) return undefined;
  const url = parsed.get(variable)!;
  const display = `${url.protocol}//${url.host}`;
  const choice: ProxyChoice = { url, variable, display };
  if (url.username || url.password) {
    const credentials = `${decodeOrKeep(url.username)}:${decodeOrKeep(url.password)}`;
    choice.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return choice;
}

/** A user or password as typed: percent-decoded when that is valid (`p%40ss`), else as it is (`100%`). */
function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The value as it may be shown: everything before its last `@` (a user name and password, with or
 * without the `http://` in front, a password holding `/` or `@`) becomes `…`.
 */
function withoutCredentials(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  return `${scheme}…@${value.slice(at + 1)}`;
}

function parseProxyVariable(variable: string, value: string): URL {
  const shown = JSON.stringify(withoutCredentials(value).slice(0, 80)); // never the password
  const hint = `Set ${variable} to a URL like http://proxy.example:3128 (with the http:// part), or unset it.`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw usageError(`${variable} is not a valid proxy URL: ${shown}`, hint);
  }
  // `127.0.0.1:8888` fails to parse above; `proxy.example:3128` parses with the scheme "proxy.example:".
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw usageError(`${variable} is not a valid proxy URL: ${shown} (it needs http:// or https:// and a host)`, hint);
  }
  return url;
}

/**
 * NO_PROXY: `*`, host names (a leading `.` or `*.` optional; subdomains match), IPs, IPv4 CIDR,
 * optional `:port`. A CIDR block that is not one (10.0.0.256/24, a prefix over 32) is exit 2 naming
 * the variable, whatever the host: the user meant some addresses to bypass the proxy.
 */
export function noProxyMatches(target: URL, noProxy: string, variable = 'NO_PROXY'): boolean {
  // node:net (and the stream modules it pulls in) only when NO_PROXY is consulted: every command that
  // imports the API client would pay for it otherwise, even one that sends nothing.
  const { BlockList, isIP } = lazyRequire('node:net') as typeof import('node:net');
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const entries = noProxy.split(/[\s,]+/).flatMap((raw) => {
    let entry = raw.trim().toLowerCase();
    if (entry === '') return [];
    if (entry === '*') return [{ entry, entryPort: undefined, cidr: null }];
    let entryPort: string | undefined;
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1]!;
      entryPort = withPort[2]!;
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(entry);
    if (cidr && (isIP(cidr[1]!) !== 4 || Number(cidr[2]) > 32)) {
      throw usageError(`${variable} holds ${JSON.stringify(raw.trim().slice(0, 60))}, which is not an IPv4 CIDR block`, `Fix that entry (four numbers 0-255, a prefix 0-32, e.g. 10.0.0.0/8) or remove it from ${variable}.`);
    }
    return [{ entry, entryPort, cidr }];
  });
  for (const { entry, entryPort, cidr } of entries) {
    if (entry === '*') return true;
    if (entryPort !== undefined && entryPort !== port) continue;
    if (cidr) {
      if (isIP(host) !== 4) continue;
      const list = new BlockList();
      list.addSubnet(cidr[1]!, Number(cidr[2]), 'ipv4');
      if (list.check(host, 'ipv4')) return true;
      continue;
    }
    if (host === entry || (isIP(host) === 0 && host.endsWith(`.${entry}`))) return true;
  }
  return false;
}
