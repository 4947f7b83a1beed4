/**
 * The one function every server-supplied string passes before it reaches a terminal or a log.
 * Removes C0 and C1 control characters (ESC, BEL, CR, backspace… so no escape sequence can retitle
 * or clear the terminal or overwrite a line), DEL, and the invisible format characters that reorder
 * or hide text (bidi overrides, zero-width joiners). JSON output is not passed through it: JSON
 * escapes control characters itself, and must stay exact.
 */

/**
 * Unicode's format characters (general category Cf, as of Unicode 17), spelled out for a character
 * class: `\p{Cf}` has V8 build the set from ICU's tables at first use, which cost a command about
 * 3% of `node -e 0`. test/unit/sanitize-format.test.ts checks it against the running Node's \p{Cf}.
 */
export const FORMAT_CHARACTERS =
  '\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891\\u08E2\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F' +
  '\\uFEFF\\uFFF9-\\uFFFB\\u{110BD}\\u{110CD}\\u{13430}-\\u{1343F}\\u{1BCA0}-\\u{1BCA3}\\u{1D173}-\\u{1D17A}\\u{E0001}\\u{E0020}-\\u{E007F}';

const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}\\u2028\\u2029]`, 'gu');

export function sanitizeText(text: string): string {
  return text.replace(UNSAFE, '');
}

/** For table cells and one-line messages: unsafe characters become one space, runs of space fold. */
export function sanitizeLine(text: string): string {
  return text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
}

// What may stay in a block of text: newline and tab. Everything else UNSAFE matches goes.
const UNSAFE_IN_BLOCK = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}\\u2028\\u2029]`, 'gu');

/**
 * For multi-line human text (tables, help, messages, the --debug trace): like sanitizeText, but
 * newlines and tabs stay; a carriage return of a CRLF pair goes, a lone one too (it would let a
 * line overwrite what came before it).
 */
export function sanitizeBlock(text: string): string {
  return text.replace(UNSAFE_IN_BLOCK, '');
}

/** Whether sanitizeBlock would change the text: a secret that holds such characters cannot be printed as it is. */
export function changedBySanitizeBlock(text: string): boolean {
  return sanitizeBlock(text) !== text;
}

// Characters JSON.stringify leaves raw although a terminal acts on them: DEL, C1 controls (ESC's
// 8-bit twin CSI is U+009B), bidi overrides and other invisible format characters, line separators.
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f${FORMAT_CHARACTERS}\\u2028\\u2029]`, 'gu');

/**
 * For serialised JSON: the document keeps exactly the same value (only string contents can hold
 * these characters, and `\uXXXX` is the same character to a parser), but a terminal showing the
 * document (`cat`, a log viewer) never receives them raw. JSON.stringify already escapes C0 controls.
 */
export function escapeUnsafeInJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => {
    let escaped = '';
    for (let i = 0; i < ch.length; i++) escaped += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`; // astral: both halves
    return escaped;
  });
}
