/**
 * The interpreter a script's first line names (`#!/usr/bin/env node` → `/usr/bin/env`), or undefined
 * when the text does not start with `#!`. A carriage return (a script saved with Windows line
 * endings) stays part of the name, as the kernel reads it: that is the usual reason it is not found.
 */
export function shebangInterpreter(head: string): string | undefined {
  if (!head.startsWith('#!')) return undefined;
  const line = head.slice(2).split('\n', 1)[0]!;
  const name = /^[ \t]*([^ \t]+)/.exec(line)?.[1];
  return name === undefined || name === '' ? undefined : name;
}
