/**
 * The one function every server-supplied string passes before it reaches a terminal or a log.
 * Removes C0 and C1 control characters (ESC, BEL, CR, backspace… so no escape sequence can retitle
 * or clear the terminal or overwrite a line), DEL, and the invisible format characters that reorder
 * or hide text (bidi overrides, zero-width joiners). JSON output is not passed through it: JSON
 * escapes control characters itself, and must stay exact.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

export function sanitizeText(text: string): string {
  return text.replace(UNSAFE, '');
}

/** For table cells and one-line messages: unsafe characters become one space, runs of space fold. */
export function sanitizeLine(text: string): string {
  return text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
}

// What may stay in a block of text: newline and tab. Everything else UNSAFE matches goes.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

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
const UNSAFE_IN_JSON = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

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
