import { resolve } from 'node:path';
import { stateError } from '../core/errors.js';
import { writeFileAtomic } from '../platform/fs/atomic-write.js';
import { readTextFile } from '../platform/fs/files.js';
import { SandboxState } from './state.js';

/**
 * `sandbox --state FILE`: the sandbox's world kept in a file, so a restarted sandbox still knows the
 * accounts and agents it issued. A missing file is a new world; a file that is not a saved state is
 * refused (exit 7) and left as it is.
 */
export function loadStateFile(path: string): SandboxState {
  const text = readTextFile(path, 16 * 1024 * 1024);
  if (text === undefined) return new SandboxState();
  const state = SandboxState.fromJSON(text);
  if (!state) throw stateError(`${resolve(path)} is not a sandbox state file`, 'Give --state a new file name (the sandbox creates it), or move this file aside. It was left as it is.');
  return state;
}

/** Writes the whole state atomically (temp file + rename, mode 600). */
export function saveStateFile(path: string, state: SandboxState): void {
  writeFileAtomic(path, `${JSON.stringify(state)}\n`);
}
