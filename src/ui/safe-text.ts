import { sanitizeBlock } from '../core/sanitize.js';

/**
 * Styling that survives sanitising. A style function does not emit ANSI codes (the sanitiser would
 * remove them along with any a server sent): it wraps the text in markers made of private-use
 * characters and a random per-process nonce. Output sanitises the whole text, then turns only the
 * markers carrying this process's nonce into ANSI codes. A server cannot forge a marker: it cannot
 * know the nonce, and a marker it sends without it stays inert text.
 */
export type StyleName = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
export const STYLE_NAMES: readonly StyleName[] = ['bold', 'dim', 'red', 'green', 'yellow', 'cyan'];

const OPEN = '\uE000';
const CLOSE = '\uE001';

export interface StyleMarks {
  /** Wraps `text` in this process's markers for `name`. */
  mark(name: StyleName, text: string): string;
  /** Sanitises `text` (newlines and tabs kept), then turns this process's markers into `codes`. */
  render(text: string): string;
}

/** `codes[name]` = [open, close] ANSI sequences; `nonce` must be unpredictable to a server. */
export function styleMarks(nonce: string, codes: Readonly<Record<StyleName, readonly [string, string]>>): StyleMarks {
  if (!/^[0-9a-f]{16,}$/.test(nonce)) throw new Error('style nonce must be 16+ hex characters');
  const pattern = new RegExp(`${OPEN}${nonce}(/?)(${STYLE_NAMES.join('|')})${CLOSE}`, 'g');
  return {
    mark: (name, text) => `${OPEN}${nonce}${name}${CLOSE}${text}${OPEN}${nonce}/${name}${CLOSE}`,
    render: (text) => sanitizeBlock(text).replace(pattern, (_m, slash: string, name: StyleName) => codes[name][slash ? 1 : 0]),
  };
}

/** Plain text: sanitised, with no markers to turn into anything. */
export function renderPlain(text: string): string {
  return sanitizeBlock(text);
}
