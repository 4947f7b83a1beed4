import type { ColorLevel } from './color.js';
import { renderPlain, STYLE_NAMES, styleMarks, type StyleName } from './safe-text.js';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /**
   * Makes text ready for the terminal: every unsafe character removed (server text may be in it),
   * then this style's own markers turned into colour. Output calls it on everything it writes.
   */
  render(text: string): string;
}

const plain = (text: string): string => text;
export const PLAIN_STYLE: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, render: renderPlain };

/** chalk is loaded only when colour is really on. */
export async function loadStyle(level: ColorLevel): Promise<Style> {
  if (level === 0) return PLAIN_STYLE;
  const [{ Chalk }, { randomBytes }] = await Promise.all([import('chalk'), import('node:crypto')]);
  const chalk = new Chalk({ level });
  const codes = {} as Record<StyleName, readonly [string, string]>;
  for (const name of STYLE_NAMES) {
    const [open = '', close = ''] = chalk[name]('\u0000').split('\u0000');
    codes[name] = [open, close];
  }
  const marks = styleMarks(randomBytes(12).toString('hex'), codes);
  return {
    bold: (t) => marks.mark('bold', t),
    dim: (t) => marks.mark('dim', t),
    red: (t) => marks.mark('red', t),
    green: (t) => marks.mark('green', t),
    yellow: (t) => marks.mark('yellow', t),
    cyan: (t) => marks.mark('cyan', t),
    render: (t) => marks.render(t),
  };
}
