import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { shebangInterpreter } from '../core/shebang.js';

/** Where PATH lookup lands when the environment has no PATH (libuv's and glibc's default). */
const DEFAULT_PATH = '/usr/bin:/bin';

/**
 * The paths execvp(3) would try for `file`, in order: `file` itself when it names a directory part,
 * else each PATH entry of `env` joined with it (an empty entry is the current directory).
 */
export function pathCandidates(file: string, env: Record<string, string>): string[] {
  if (file.includes('/')) return [file];
  return (env.PATH ?? DEFAULT_PATH).split(delimiter).map((dir) => (dir === '' ? `./${file}` : join(dir, file)));
}

/** The first 256 bytes of `path`, or undefined when it cannot be read. */
export function fileHead(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(256);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** An executable regular file: what execve(2) accepts by its permissions. */
function executableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** ELF e_machine of this process's architecture (elf.h), where known. */
const ELF_MACHINE: Partial<Record<NodeJS.Architecture, number>> = { x64: 62, arm64: 183, ia32: 3, arm: 40, ppc64: 21, s390x: 22, riscv64: 243, loong64: 258 };
const MACH_O_MAGICS = new Set([0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca]);

/** A binary this machine runs: an ELF of this architecture (Linux), a Mach-O (macOS). */
function nativeBinary(head: Buffer): boolean {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = ELF_MACHINE[process.arch];
    const littleEndian = head[5] === 1;
    return machine === undefined || (littleEndian ? head.readUInt16LE(18) : head.readUInt16BE(18)) === machine;
  }
  return process.platform === 'darwin' && head.length >= 4 && MACH_O_MAGICS.has(head.readUInt32BE(0));
}

/**
 * The path execve(2) will run `file` from, when it certainly will: found as execvp finds it, an
 * executable regular file, and a native binary or a #! script whose interpreter is one (Linux lets
 * an interpreter be a script itself, a few levels deep). Undefined for everything else (not found,
 * not executable, no #! line, another architecture): the caller then spawns a child, whose errors
 * say what is wrong. On Node 22 and 24 a failed process.execve aborts the process instead of
 * throwing, so nothing that might fail is handed to it.
 */
export function certainlyExecutable(file: string, env: Record<string, string>): string | undefined {
  const found = pathCandidates(file, env).find(executableFile);
  return found !== undefined && runsNatively(found, 4) ? found : undefined;
}

function runsNatively(path: string, depth: number): boolean {
  const head = fileHead(path);
  if (head === undefined) return false;
  if (nativeBinary(head)) return true;
  const interpreter = shebangInterpreter(head.toString('latin1'));
  return interpreter !== undefined && depth > 0 && interpreter.startsWith('/') && executableFile(interpreter) && runsNatively(interpreter, depth - 1);
}
