import { describe, expect, it } from 'vitest';
import { jsonTooDeep } from '../../src/core/json-depth.js';

describe('jsonTooDeep', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonTooDeep('{"a": [1, {"b": []}]}', 4)).toBe(false);
    expect(jsonTooDeep('{"a": [1, {"b": [[]]}]}', 4)).toBe(true);
    expect(jsonTooDeep(`{"s": "${'['.repeat(50)}", "t": "\\"${'{'.repeat(50)}"}`, 2)).toBe(false);
    expect(jsonTooDeep('[[["\\\\"]]]', 3)).toBe(false);
    expect(jsonTooDeep('[[["\\\\"], [[]]]]', 3)).toBe(true);
  });

  it('lets ordinary depth through at the default limit and stops 100,000 levels', () => {
    expect(jsonTooDeep(`${'['.repeat(512)}${']'.repeat(512)}`)).toBe(false);
    expect(jsonTooDeep(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(true);
  });
});
