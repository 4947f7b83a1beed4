import { fitsGuaranteedArgumentSpace } from '../core/argument-space.js';
import { failure, runChild, type ChildOutcome } from './child.js';
import { certainlyExecutable } from './program-path.js';
import { execveAvailable, replaceProcess } from './replace-process.js';

/**
 * Runs `file` (no shell; PATH lookup in `env`'s PATH) with `args` and `env`. Where Node has
 * process.execve, t0ken becomes the program: it returns only when that failed. Elsewhere, or when
 * the program might not start (not found, not executable, a #! interpreter that is missing, more
 * arguments and environment than every system takes: src/core/argument-space.ts), a child process
 * runs it and its outcome is returned (src/platform/child.ts: 127/126 and 128+n).
 */
export async function runProgram(file: string, args: readonly string[], env: Record<string, string>): Promise<ChildOutcome> {
  const execve = execveAvailable();
  const path = execve === undefined || !fitsGuaranteedArgumentSpace([file, ...args], env) ? undefined : certainlyExecutable(file, env);
  if (execve !== undefined && path !== undefined) {
    try {
      return await replaceProcess(execve, path, [file, ...args], env);
    } catch (error) {
      return failure(file, error, env);
    }
  }
  return runChild(file, args, env);
}
