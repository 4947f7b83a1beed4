import { describe, expect, it } from 'vitest';
import { firstLossyNumber } from '../../src/core/mcp-clients.js';

describe('firstLossyNumber: numbers a JSON rewrite would change', () => {
  it.each([
    ['{"a": 0.1, "b": 1.50, "c": 1E2, "d": -0, "e": 5e-324, "f": 9007199254740992, "g": 1e21, "h": 0.000001}'],
    ['{"s": "12345678901234567890", "t": "x\\"1e400", "12345678901234567890": true}'],
    ['[]'],
  ])('none in %s', (text) => {
    expect(firstLossyNumber(text)).toBeUndefined();
  });

  it.each([
    ['{"a": 1, "b": 9007199254740993}', '9007199254740993'],
    ['{"s": "\\\\", "a": 1e400}', '1e400'],
    ['[1e-400]', '1e-400'],
    ['{"a": [0.1, 0.10000000000000000000000001]}', '0.10000000000000000000000001'],
    ['{"a": -12345678901234567890}', '-12345678901234567890'],
  ])('%s holds %s', (text, literal) => {
    expect(firstLossyNumber(text)).toBe(literal);
  });
});
