import { accessSync, closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { binfmtMatches } from '../core/binfmt.js';
import { delimiter } from 'node:path';
import { shebangInterpreter } from '../core/shebang.js';

/** Where PATH lookup lands when the environment has no PATH (libuv's and glibc's default). */
const DEFAULT_PATH = '/usr/bin:/bin';

/**
 * The paths execvp(3) would try for `file`, in order: `file` itself when it names a directory part,
 * else each PATH entry of `env` joined with it (an empty entry is the current directory).
 */
export function pathCandidates(file: string, env: Record<string, string>): string[] {
  if (file.includes('/')) return [file];
  // Joined as execvp joins them, not by path.join: `lnk/..` is the symlink's target's parent to the kernel.
  return (env.PATH ?? DEFAULT_PATH).split(delimiter).map((dir) => (dir === '' ? `./${file}` : `${dir.replace(/\/+$/, '')}/${file}`));
}

/** The first 256 bytes of `path`, or undefined when it cannot be read. */
export function fileHead(path: string | Buffer): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** An executable regular file: what execve(2) accepts by its permissions. */
export function executableFile(path: string | Buffer): boolean {
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
  if (head.length >= 20 && head.readUInt32BE(0) === ELF_MAGIC) {
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

function runsNatively(path: string | Buffer, depth: number): boolean {
  const head = fileHead(path);
  if (head === undefined) return false;
  if (nativeBinary(head)) {
    if (head.readUInt32BE(0) !== ELF_MAGIC) return true; // Mach-O
    // Its headers whole, and its loader there (an Alpine binary names /lib/ld-musl-…: ENOENT).
    const elf = elfLoader(path);
    return elf !== undefined && (elf.interpreter === null || executableFile(elf.interpreter));
  }
  // The #! line must end within what the kernel reads of it (256 bytes), or it refuses the file.
  if (head.length === HEAD_BYTES && head.indexOf(0x0a) < 0) return false;
  const interpreter = shebangInterpreter(head.toString('latin1'));
  if (interpreter === undefined || depth === 0 || !interpreter.startsWith('/')) return false;
  const bytes = Buffer.from(interpreter, 'latin1'); // the name's own bytes (a UTF-8 path stays one)
  return executableFile(bytes) && runsNatively(bytes, depth - 1);
}

/**
 * An ELF file this machine cannot run (another architecture's, or its headers cut short): execve
 * says ENOEXEC, and execvp would then hand it to /bin/sh as a script ("Syntax error").
 */
export function unrunnableElf(path: string): boolean {
  const head = fileHead(path);
  if (head === undefined || head.length < 4 || head.readUInt32BE(0) !== ELF_MAGIC) return false;
  if (head.length < 20 || elfLoader(path) === undefined) return true;
  if (nativeBinary(head)) return false;
  // Another architecture's: the kernel may still run it, a 32-bit one in its compat mode (i386 on
  // x86-64, ARM on arm64), or through a binfmt_misc handler that takes this very header (qemu-user).
  const machine = head[5] === 1 ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const compat = head[4] === 1 && (COMPAT_MACHINES[process.arch] ?? []).includes(machine); // ELFCLASS32
  return !compat && !binfmtTakes(head);
}

/** 32-bit ELF machines the kernel of this architecture usually runs too (its compat mode). */
const COMPAT_MACHINES: Partial<Record<NodeJS.Architecture, readonly number[]>> = { x64: [3], arm64: [40], ppc64: [20], s390x: [22] };

/** Whether an enabled binfmt_misc handler matches these first bytes of a file (its magic, under its mask, at its offset). */
function binfmtTakes(head: Buffer): boolean {
  let names: string[];
  try {
    names = readdirSync('/proc/sys/fs/binfmt_misc').filter((name) => name !== 'register' && name !== 'status');
  } catch {
    return false;
  }
  return names.some((name) => {
    try {
      return binfmtMatches(readFileSync(`/proc/sys/fs/binfmt_misc/${name}`, 'latin1'), head);
    } catch {
      return false;
    }
  });
}

const HEAD_BYTES = 256;
const ELF_MAGIC = 0x7f454c46;

/**
 * What an ELF executable needs to run, from its headers: its program interpreter (the dynamic
 * loader), null for a static one; undefined when the headers are cut short or are not an
 * executable's, which the kernel refuses (ENOEXEC).
 */
export function elfLoader(path: string | Buffer): { interpreter: Buffer | null } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, head.length, 0) < 52 || head.readUInt32BE(0) !== ELF_MAGIC) return undefined;
    const wide = head[4] === 2;
    const little = head[5] === 1;
    const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const word = (b: Buffer, at: number) => (wide ? Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at));
    const type = u16(head, 16);
    if (type !== 2 && type !== 3) return undefined; // ET_EXEC, ET_DYN
    const tableAt = word(head, wide ? 0x20 : 0x1c);
    const entrySize = u16(head, wide ? 0x36 : 0x2a);
    const entries = u16(head, wide ? 0x38 : 0x2c);
    const tableSize = entrySize * entries;
    if (entries === 0 || entrySize < (wide ? 56 : 32) || tableSize > 65_536 || tableAt + tableSize > size) return undefined;
    const table = Buffer.alloc(tableSize);
    if (readSync(fd, table, 0, tableSize, tableAt) < tableSize) return undefined;
    for (let at = 0; at < tableSize; at += entrySize) {
      if (u32(table, at) !== 3) continue; // PT_INTERP
      const offset = word(table, at + (wide ? 8 : 4));
      const length = word(table, at + (wide ? 32 : 16));
      if (length === 0 || length > 4096 || offset + length > size) return undefined;
      const name = Buffer.alloc(length);
      if (readSync(fd, name, 0, length, offset) < length) return undefined;
      const end = name.indexOf(0);
      return { interpreter: name.subarray(0, end < 0 ? length : end) };
    }
    return { interpreter: null };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
