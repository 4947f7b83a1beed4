/**
 * Whether a program's argv and environment certainly fit what execve(2) takes on any Linux: 32 pages
 * (128 KiB) in all, whatever the stack limit (the kernel allows up to a quarter of it, at least that),
 * counting each string with its NUL and a pointer to it. Past that it may still fit, but a failed
 * process.execve aborts Node 22 and 24 (SIGABRT, a native stack trace) instead of throwing, so
 * `exec` hands larger ones to a child, whose E2BIG is an error like any other.
 */
export function fitsGuaranteedArgumentSpace(argv: readonly string[], env: Readonly<Record<string, string>>): boolean {
  const LIMIT = 32 * 4096;
  const POINTER = 8;
  let total = POINTER; // argv's NULL, and envp's below
  for (const arg of argv) {
    total += Buffer.byteLength(arg) + 1 + POINTER;
    if (total > LIMIT) return false;
  }
  total += POINTER;
  for (const [name, value] of Object.entries(env)) {
    total += Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1 + POINTER;
    if (total > LIMIT) return false;
  }
  return total <= LIMIT;
}
