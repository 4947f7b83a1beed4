import { describe, expect, it } from 'vitest';
import { JsonText, stringifyWithJsonText } from '../../src/core/json-text.js';

describe('JSON text sent as written', () => {
  it('puts each JsonText in the body unchanged, every other value as JSON.stringify writes it', () => {
    const body = { name: 'a\u0000b "quoted"', card_json: new JsonText('{"n": 12345678901234567890, "r": 1.50}'), nested: [new JsonText('1e2'), 3] };
    const text = stringifyWithJsonText(body);
    expect(text).toBe('{"name":"a\\u0000b \\"quoted\\"","card_json":{"n": 12345678901234567890, "r": 1.50},"nested":[1e2,3]}');
    expect(JSON.parse(text).name).toBe(body.name);
    expect(stringifyWithJsonText({ a: 1 })).toBe(JSON.stringify({ a: 1 }));
  });

  it('a string that looks like the marker stays a string', () => {
    const tricky = { s: '\u0000json-text-0', t: new JsonText('true') };
    expect(JSON.parse(stringifyWithJsonText(tricky))).toEqual({ s: '\u0000json-text-0', t: true });
  });
});
