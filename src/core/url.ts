import { usageError } from './errors.js';

export const DEFAULT_T0KEN_API_URL = 'https://t0ken.ai/api/v1';
export const DEFAULT_MNEMOM_API_URL = 'https://api.mnemom.ai/v1';

/**
 * True for hosts that never leave this machine: 127.0.0.0/8, ::1 and localhost. Without regular
 * expressions: every command that talks to a loopback sandbox calls this, and V8 compiles a regular
 * expression at its first use and again at its second (docs/speed.md).
 */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1);
  if (host.endsWith(']')) host = host.slice(0, -1);
  // `localhost` alone, as the contract names it: a name under .localhost resolves as /etc/hosts or DNS
  // says (evil.localhost → a LAN address), and plain http:// with a key would go there.
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const parts = host.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.slice(1).every(isOctet);
}

/** One to three ASCII digits, at most 255. */
function isOctet(part: string): boolean {
  if (part.length === 0 || part.length > 3) return false;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return Number(part) <= 255;
}

/**
 * Normalises an API base URL (lower-case scheme and host, no trailing slash, no query or fragment)
 * and refuses plain http:// to anything but loopback, so a typo cannot send a key in clear text.
 * The result keys the config store.
 */
export function normalizeBaseUrl(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw usageError(`${variable} is not a valid URL: ${JSON.stringify(raw.slice(0, 80))}`, `Set ${variable} to a URL like https://host/api/v1, or unset it.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`${variable} must use https:// (got ${url.protocol})`, `Set ${variable} to an https:// URL.`);
  }
  if (url.username || url.password) {
    throw usageError(`${variable} must not contain credentials`, 'Remove the user:password@ part; keys travel in headers.');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw usageError(
      `refusing plain http:// to ${url.hostname}: keys would travel in clear text`,
      `Use https:// in ${variable}; http:// is allowed only for loopback hosts (127.0.0.1, ::1, localhost).`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}
