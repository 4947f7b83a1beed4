import { describe, expect, it } from 'vitest';
import { FORMAT_CHARACTERS, sanitizeLine, sanitizeText } from '../../src/core/sanitize.js';
import { isHostnameLabel } from '../../src/core/validate.js';

/**
 * src/core/sanitize.ts spells out Unicode's format characters instead of writing \p{Cf} (which has
 * V8 build the set from ICU at first use). Checked against the running Node's own \p{Cf}: nothing
 * it calls a format character is left out, and the list holds nothing but format characters (or
 * code points this Node's older Unicode has not assigned yet).
 */
describe(`the format characters sanitize.ts removes, against \\p{Cf} of Unicode ${process.versions.unicode}`, () => {
  const listed = new RegExp(`^[${FORMAT_CHARACTERS}]$`, 'u');

  it('every code point: in the list exactly when it is Cf (or unassigned here)', () => {
    const missing: string[] = [];
    const extra: string[] = [];
    let count = 0;
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates
      const ch = String.fromCodePoint(code);
      const isFormat = /^\p{Cf}$/u.test(ch);
      const inList = listed.test(ch);
      if (inList) count++;
      if (isFormat && !inList) missing.push(code.toString(16));
      if (inList && !isFormat && !/^\p{Cn}$/u.test(ch)) extra.push(code.toString(16));
    }
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    expect(count).toBeGreaterThan(150);
  });

  it('removes bidi overrides, zero-width characters and tag characters from server text', () => {
    expect(sanitizeText('a\u202Eb\u200Bc\u{E0041}d\u00ADe')).toBe('abcde');
    expect(sanitizeLine('x\u2066y\u0600z')).toBe('x y z');
  });

  it('a hostname register accepts holds no control, format or space character (as \\p{Cc}, \\p{Cf} and \\s say)', () => {
    expect(isHostnameLabel('build-agent-7.example')).toBe(true);
    expect(isHostnameLabel('höst-名前')).toBe(true);
    for (const bad of ['a b', 'a\u0007b', 'a\u0085b', 'a\u202Eb', 'a\u200Bb', 'a\u{E0041}b', 'a\u00A0b', '', 'x'.repeat(256)]) {
      expect(isHostnameLabel(bad), JSON.stringify(bad)).toBe(false);
      if (bad.length > 0 && bad.length <= 255) expect(/[\p{Cc}\p{Cf}\s]/u.test(bad), JSON.stringify(bad)).toBe(true);
    }
  });
});
