import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inTerminalBackground, inTerminalForeground, parseProcStat } from '../../src/core/proc-stat.js';

describe('/proc/<pid>/stat: the terminal foreground group', () => {
  it('reads pgrp, tty_nr and tpgid after the last parenthesis, whatever the command name holds', () => {
    const line = '4242 (my (odd) prog) S 4200 4242 4100 34816 4242 4194304 100 0 0 0 1 2 0 0 20 0 1 0 5000 1000000 200';
    expect(parseProcStat(line)).toEqual({ pgrp: 4242, ttyNr: 34816, tpgid: 4242 });
    expect(inTerminalForeground(parseProcStat(line)!)).toBe(true);
  });

  it('a background job, a process without a terminal, and lines it cannot read', () => {
    expect(inTerminalForeground(parseProcStat('10 (node) S 9 10 8 34816 77 0')!)).toBe(false); // terminal's foreground is group 77
    expect(inTerminalForeground(parseProcStat('10 (node) S 9 10 10 0 -1 0')!)).toBe(false); // no controlling terminal
    expect(inTerminalBackground(parseProcStat('10 (node) S 9 10 8 34816 77 0')!)).toBe(true); // a job in the background of its terminal
    expect(inTerminalBackground(parseProcStat('10 (node) S 9 10 10 0 -1 0')!)).toBe(false); // no terminal at all
    expect(inTerminalBackground(parseProcStat('10 (node) S 9 10 8 34816 10 0')!)).toBe(false); // the foreground
    expect(parseProcStat('no parenthesis here')).toBeUndefined();
    expect(parseProcStat('10 (node) S 9')).toBeUndefined();
    expect(parseProcStat('10 (node) S 9 x 8 34816 77')).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('agrees with ps(1) on this process', () => {
    const groups = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    const ps = (field: string) => Number(execFileSync('ps', ['-o', `${field}=`, '-p', String(process.pid)], { encoding: 'utf8' }).trim());
    expect(groups).toMatchObject({ pgrp: ps('pgid'), tpgid: ps('tpgid') });
    // ps names the terminal, not its number: no terminal is "?", and tty_nr 0
    const tty = execFileSync('ps', ['-o', 'tty=', '-p', String(process.pid)], { encoding: 'utf8' }).trim();
    expect(groups!.ttyNr === 0).toBe(tty === '?');
  });
});
