import { readFileSync } from 'node:fs';

/**
 * Who holds a lock: a pid alone is not an identity (pids are reused, and in a container PID 1 is
 * always alive), so a lock also records its process's start time, field 22 of /proc/<pid>/stat
 * (clock ticks since boot). Where there is no /proc (macOS, Windows) it is undefined.
 */
export function processStartTime(pid: number): string | undefined {
  const start = statFields(pid)?.[22 - 3]; // fields[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** The CPU time process `pid` has used (utime + stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks), or undefined. */
export function processCpuTicks(pid: number): number | undefined {
  const fields = statFields(pid);
  const ticks = Number(fields?.[14 - 3]) + Number(fields?.[15 - 3]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** /proc/<pid>/stat from field 3 on (fields[0] is the state), or undefined where it cannot be read. */
function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2, the command name, is in parentheses and may itself hold spaces and ')': split after the last one.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
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
