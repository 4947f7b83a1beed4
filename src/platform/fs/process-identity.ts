import { readFileSync } from 'node:fs';

/**
 * Who holds a lock: a pid alone is not an identity (pids are reused, and in a container PID 1 is
 * always alive), so a lock also records its process's start time, field 22 of /proc/<pid>/stat
 * (clock ticks since boot). Where there is no /proc (macOS, Windows) it is undefined.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[22 - 3]; // fields[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** Whether /proc answers for this process: identities can then be checked, not only guessed. */
export const hasProcFs = (): boolean => processStartTime(process.pid) !== undefined;

/** True while some process has this pid (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
