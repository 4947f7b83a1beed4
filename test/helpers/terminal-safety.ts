import { expect } from 'vitest';

/** The escape sequences a hostile server sends: retitle (OSC 0), clear screen, 8-bit CSI, bidi override, zero-width; then a line break and a tab to forge a line of t0ken's own. */
export const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\u200b\r\u0008\nt0ken: FORGED\t';

// Anything a terminal acts on: C0 but newline and tab, DEL, C1, bidi and zero-width format characters.
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

/**
 * Fails when `text` could act on a terminal. `ownColour`: t0ken's own SGR colour codes
 * (ESC [ digits m) are allowed, nothing else.
 */
export function expectTerminalSafe(text: string, label: string, ownColour = false): void {
  const checked = ownColour ? text.replace(/\u001b\[[0-9;]*m/g, '') : text;
  const bad = TERMINAL_CONTROL.exec(checked);
  expect(bad, `${label}: ${JSON.stringify(checked.slice(Math.max(0, (bad?.index ?? 0) - 40), (bad?.index ?? 0) + 40))}`).toBeNull();
  expect(text, label).not.toContain('pwned\u0007');
  // A server's value is one line wherever t0ken shows it: its line break and tab become spaces.
  expect(text, `${label}: a line forged by the server`).not.toMatch(/\n\s*t0ken: FORGED|FORGED\t/);
}
