import { usageError } from './errors.js';
import { JsonText } from './json-text.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import { jsonErrorOffset, positionOf } from './json-position.js';

export const MAX_CARD_BYTES = 128 * 1024;

/** Checks an alignment card file's text (a JSON object) and returns it to send as written. */
export function parseCard(text: string, fileName: string): JsonText {
  if (Buffer.byteLength(text, 'utf8') > MAX_CARD_BYTES) {
    throw usageError(`${fileName} is larger than 128 KiB`, 'Alignment cards are small JSON objects; check you passed the right file to --card.');
  }
  let offset: number | undefined;
  try {
    // Deeper than MAX_JSON_DEPTH: JSON.stringify of the request body would overflow the stack.
    offset = jsonTooDeep(text) ? Number.NaN : jsonErrorOffset(text);
  } catch {
    offset = Number.NaN;
  }
  if (Number.isNaN(offset)) throw usageError(`${fileName} is nested too deeply to read (more than ${MAX_JSON_DEPTH} levels)`, 'Alignment cards are small JSON objects; check the file.');
  if (offset !== undefined) {
    const { line, column } = positionOf(text, offset);
    const found = offset >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[offset])}`;
    throw usageError(
      `${fileName} is not valid JSON: ${text.trim() === '' ? 'the file is empty' : `${found} at line ${line}, column ${column}`}`,
      'Fix the file (`jq . <file>` shows the problem too), or pass another --card.',
    );
  }
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw usageError(`${fileName} must hold a JSON object, not ${kind}`, 'An alignment card is a JSON object: {"…": …}.');
  }
  const path = pathToEndlessNumber(value, '');
  if (path !== undefined) {
    // JSON.parse makes 1e999 Infinity, which the request would then carry as null: the card would change silently.
    throw usageError(`${fileName} holds a number too large for JSON to carry (at ${path || 'the top'})`, 'Write it as a string, or as a number below 1.8e308.');
  }
  // Sent as written: parsed and serialised again, 12345678901234567890 became 12345678901234567000.
  return new JsonText(json.trim());
}

/** Where the first number that is not finite sits (`.a[2].b`), or undefined. */
function pathToEndlessNumber(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = pathToEndlessNumber(inner, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
