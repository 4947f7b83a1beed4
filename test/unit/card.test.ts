import { describe, expect, it } from 'vitest';
import { MAX_CARD_BYTES, parseCard } from '../../src/core/card.js';
import { jsonErrorOffset, jsonProblem, positionOf } from '../../src/core/json-position.js';

describe('alignment card validation', () => {
  it('accepts a JSON object', () => {
    expect(parseCard(' {"values": ["honesty"], "n": 1}\n', 'card.json').text).toBe('{"values": ["honesty"], "n": 1}');
  });

  it.each([
    ['[1, 2]', 'an array'],
    ['"text"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
  ])('refuses %s as %s with exit 2', (text, kind) => {
    expect(() => parseCard(text, 'card.json')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(kind) }));
  });

  it('names the file, line and column of a syntax error', () => {
    const text = '{\n  "a": 1,\n  "b": ,\n}';
    expect(() => parseCard(text, 'my-card.json')).toThrow(/my-card\.json is not valid JSON: unexpected "," at line 3, column 8/);
  });

  it('says when the text ends too early, or the file is empty', () => {
    expect(() => parseCard('{"a": [1, 2', 'c.json')).toThrow(/ends too early at line 1/);
    expect(() => parseCard('', 'c.json')).toThrow(/the file is empty/);
  });

  it('refuses a number JSON cannot carry (1e999 parses as Infinity and was sent as null), and says where', () => {
    expect(() => parseCard('{"a": {"b": [1, -1e999]}}', 'card.json')).toThrow(/card\.json holds a number too large for JSON to carry \(at \.a\.b\[1\]\)/);
    expect(() => parseCard('{"limit": 1e999}', 'card.json')).toThrow(/at \.limit/);
    expect(parseCard('{"big": 1.7e308, "small": 1e-999}', 'card.json').text).toBe('{"big": 1.7e308, "small": 1e-999}'); // sent as written
  });

  it('refuses files over 128 KiB', () => {
    const big = `{"x": "${'a'.repeat(MAX_CARD_BYTES)}"}`;
    expect(() => parseCard(big, 'big.json')).toThrow(/larger than 128 KiB/);
  });

  it('finds the same errors JSON.parse does', () => {
    const samples = ['{}', '[]', '{"a":1}', '{"a":}', '{a:1}', '[1,]', '"\\u12"', '01', '-', '1e', 'tru', '{"a":1}x', ' \n ', '{"a":"b\n"}', '[1.5e+3, -0, "\\n"]'];
    for (const text of samples) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(text) === undefined, text).toBe(valid);
    }
  });

  it('computes 1-based line and column', () => {
    expect(positionOf('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(positionOf('abc', 0)).toEqual({ line: 1, column: 1 });
    // The same words on every Node line (V8's own messages differ: Node 20 gives no line and column)
    expect(jsonProblem('{"a":1,}')).toBe('unexpected "}" at line 1, column 8');
    expect(jsonProblem('{"a": [1')).toBe('the text ends too early at line 1, column 9');
  });
});
