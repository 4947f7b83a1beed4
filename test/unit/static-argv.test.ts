import { describe, expect, it } from 'vitest';
import { mayBeStaticText, staticTextKey } from '../../src/core/static-argv.js';

describe('staticTextKey: which argv print a build-time text', () => {
  it.each([
    [[], 'help:'],
    [['--help'], 'help:'],
    [['-h'], 'help:'],
    [['help'], 'help:'],
    [['agent', 'claim', '--help'], 'help:agent claim'],
    [['status', '-h'], 'help:status'],
    [['help', 'agent', 'rekey'], 'help:agent rekey'],
    [['help', 'exit-codes'], 'topic:exit-codes'],
    [['help', 'environment'], 'topic:environment'],
    [['completion', 'fish'], 'completion:fish'],
    [['completion', 'tcsh'], 'completion:tcsh'], // no such text: the CLI says so
  ] as const)('%j → %s', (args, key) => {
    expect(staticTextKey(args)).toBe(key);
    expect(mayBeStaticText(args)).toBe(true);
  });

  it.each([
    [['--json', '--help']],
    [['agent', 'show', '--name', 'x', '--help']],
    [['help', 'exit-codes', '--json']],
    [['help', 'a', 'b', 'c']],
    [['completion']],
    [['completion', 'bash', '--json']],
    [['token']],
  ])('%j is the CLI\'s', (args) => {
    expect(staticTextKey(args)).toBeUndefined();
  });
});
