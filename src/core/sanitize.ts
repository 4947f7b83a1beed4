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
