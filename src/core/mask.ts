import { hasKeyShape, KNOWN_KEY_PREFIXES } from './redact.js';

/** Below this many secret characters a key shows no tail at all: four of eleven would be too many. */
export const MIN_SECRET_FOR_TAIL = 12;

/**
 * Masks a secret for display: a known public prefix (`omx_agent_`, `mnm_`, `sk-ant-`, …) or nothing,
 * then `…`, then the last 4 characters (`omx_agent_…x9Qa`). Nothing else of the key is shown: an
 * underscore inside the secret part is not a prefix. A secret part shorter than 12 characters shows
 * no tail (`mnm_…`).
 */
export function maskSecret(secret: string): string {
  const prefix = KNOWN_KEY_PREFIXES.find((p) => secret.startsWith(p)) ?? '';
  const rest = secret.slice(prefix.length);
  if (rest.length < MIN_SECRET_FOR_TAIL) return `${prefix}…`;
  return `${prefix}…${rest.slice(-4)}`;
}

/**
 * A word given on the command line, as an error may show it back: one shaped like a key (or long and
 * unbroken, as keys are) masked, any other cut to `max` characters. An error lands in a terminal's
 * scrollback and in CI logs, and a key pasted in the wrong place must not.
 */
export function shownGiven(word: string, max = 40): string {
  if (hasKeyShape(word) || looksRandom(word)) return maskSecret(word);
  return word.length > max ? `${word.slice(0, max)}…` : word;
}

/** A long unbroken word of upper and lower case letters and digits, as keys without a known prefix are (not my_agent_name, nor a number). */
const looksRandom = (word: string): boolean => word.length >= 20 && !/[\s/.@]/.test(word) && /[a-z]/.test(word) && /[A-Z]/.test(word) && /\d/.test(word);

/** shownGiven, quoted. */
export const quoteGiven = (word: string, max = 40): string => JSON.stringify(shownGiven(word, max));
