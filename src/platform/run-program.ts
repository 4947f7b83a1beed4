import { fitsGuaranteedArgumentSpace } from '../core/argument-space.js';
import { failure, runChild, type ChildOutcome } from './child.js';
import { certainlyExecutable, executableFile, pathCandidates } from './program-path.js';
import { execveAvailable, execveFailureThrows, replaceProcess } from './replace-process.js';

/**
 * Runs `file` (no shell; PATH lookup in `env`'s PATH) with `args` and `env`. Where Node has
 * process.execve, t0ken becomes the program: it returns only when that failed. Elsewhere a child
 * process runs it and its outcome is returned (src/platform/child.ts: 127/126 and 128+n).
 *
 * Where a failed execve throws (Node 26), any executable file found is tried, and a failure goes to
 * a child, which runs what execvp would (a script without #! through /bin/sh) or says why not. On
 * Node 22 and 24 a failed execve aborts the process, so only a program that certainly starts is
 * handed to it (found, executable, a native binary whose loader is there or a #! script whose
 * interpreter is one, its arguments and environment within what every system takes:
 * src/core/argument-space.ts); the rest runs as a child. A file opened for writing meanwhile
 * (ETXTBSY) cannot be foreseen.
 */
export async function runProgram(file: string, args: readonly string[], env: Record<string, string>): Promise<ChildOutcome> {
  const execve = execveAvailable();
  if (execve === undefined) return runChild(file, args, env);
  const recovers = execveFailureThrows();
  const path = recovers ? pathCandidates(file, env).find(executableFile) : certainlyExecutable(file, env);
  // The kernel copies the path too, beside argv and the environment.
  if (path === undefined || !fitsGuaranteedArgumentSpace([path, file, ...args], env)) return runChild(file, args, env);
  try {
    return await replaceProcess(execve, path, [file, ...args], env);
  } catch (error) {
    return recovers ? runChild(file, args, env) : failure(file, error, env);
  }
}
