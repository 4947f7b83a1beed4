import { usageError } from './errors.js';

export const DEFAULT_T0KEN_API_URL = 'https://t0ken.ai/api/v1';
export const DEFAULT_MNEMOM_API_URL = 'https://api.mnemom.ai/v1';

/** True for hosts that never leave this machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((part) => Number(part) <= 255);
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
