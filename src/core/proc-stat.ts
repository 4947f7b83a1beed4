/** What /proc/<pid>/stat says of a process's place among its terminal's process groups (proc(5)). */
export interface TerminalGroups {
  pgrp: number;  // its process group
  ttyNr: number; // its controlling terminal's device number; 0 when it has none
  tpgid: number; // the foreground process group of that terminal; -1 when there is no terminal
}

/**
 * Parses a /proc/<pid>/stat line. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(line: string): TerminalGroups | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  // After "(comm) ": state ppid pgrp session tty_nr tpgid …
  const fields = line.slice(close + 1).trim().split(/\s+/);
  const [pgrp, ttyNr, tpgid] = [fields[2], fields[4], fields[5]].map((field) => (field !== undefined && /^-?\d+$/.test(field) ? Number(field) : Number.NaN));
  if (![pgrp, ttyNr, tpgid].every(Number.isInteger)) return undefined;
  return { pgrp: pgrp!, ttyNr: ttyNr!, tpgid: tpgid! };
}

/** True when the process is in its terminal's foreground group: the terminal's Ctrl-C reaches it. */
export function inTerminalForeground(groups: TerminalGroups): boolean {
  return groups.ttyNr !== 0 && groups.tpgid > 0 && groups.pgrp === groups.tpgid;
}

/** True when the process is a background job of its controlling terminal (it has one, and is not its foreground). */
export function inTerminalBackground(groups: TerminalGroups): boolean {
  return groups.ttyNr !== 0 && groups.tpgid > 0 && groups.pgrp !== groups.tpgid;
}
