import { describe, expect, it } from 'vitest';
import { shebangInterpreter } from '../../src/core/shebang.js';

describe('shebangInterpreter', () => {
  it.each([
    ['#!/bin/sh\necho', '/bin/sh'],
    ['#! /usr/bin/env node\n', '/usr/bin/env'],
    ['#!/bin/sh\r\necho', '/bin/sh\r'],
    ['#!/usr/bin/python3 -u', '/usr/bin/python3'],
  ])('%j names %j', (head, name) => {
    expect(shebangInterpreter(head)).toBe(name);
  });

  it.each([['echo hi'], ['#!'], ['#!   \n'], ['\u007fELF']])('%j names none', (head) => {
    expect(shebangInterpreter(head)).toBeUndefined();
  });
});
