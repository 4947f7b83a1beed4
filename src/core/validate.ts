import { usageError } from './errors.js';

export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$/;
const CODE_PATTERN = /^\d{6}$/;
// Deliberately simple: one @, a non-empty local part, a dotted domain, no spaces or control characters.
const EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

export function validateAgentName(name: string): string {
  if (!AGENT_NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid agent name ${JSON.stringify(truncate(name))}: use 2 to 32 letters, digits or hyphens, starting and ending with a letter or digit`,
      'Pass a name like --name my-agent.',
    );
  }
  return name;
}

export function validateEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL_PATTERN.test(trimmed)) {
    throw usageError(`invalid email address ${JSON.stringify(truncate(email))}`, 'Pass an address like --email you@example.com.');
  }
  return trimmed;
}

export function validateVerificationCode(code: string): string {
  const trimmed = code.trim();
  if (!CODE_PATTERN.test(trimmed)) {
    throw usageError('the verification code must be exactly 6 digits', 'Pass the code from `t0ken claim`, e.g. --code 123456.');
  }
  return trimmed;
}

/** Parses `--timeout <seconds>` into milliseconds. */
export function parseTimeoutSeconds(raw: string): number {
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw usageError(`invalid --timeout ${JSON.stringify(truncate(raw))}: give seconds above 0 and at most 600`, 'For example --timeout 30.');
  }
  return Math.round(seconds * 1000);
}

export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`invalid --port ${JSON.stringify(truncate(raw))}: give a number from 0 to 65535`, 'Use --port 0 for a free port.');
  }
  return port;
}

/** Shortens user input before echoing it back in an error message. */
export function truncate(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
