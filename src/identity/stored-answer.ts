import { CliError, isCliError } from '../core/errors.js';
import type { ErrorCode } from '../core/exit-codes.js';
import { sanitizeText } from '../core/sanitize.js';
import type { ConfigData } from '../store/schema.js';
import type { ConfigStore, Mutation } from '../store/store.js';

export interface StoredAnswerOptions {
  /** What the service already did, e.g. "the service issued claim code 123456 for a@b.c". */
  serviceDid: string;
  /** How to get back to a good state once the file can be written. */
  recover: string;
}

/**
 * Stores what the service answered. The service has acted by now (issued a key, sent a code), so
 * a failed write must not hide that: the error says what the service did and how to recover,
 * with the file-system problem's own hint, and is exit 7 (never exit 1). Server text in it is sanitised.
 */
export function storeAnswer(store: ConfigStore, mutate: Mutation, options: StoredAnswerOptions): Promise<ConfigData> {
  return afterService(() => store.update(mutate), options);
}

/** The same for several steps (a keychain write, then the file): any failure says what the service did. */
export async function afterService<T>(steps: () => Promise<T>, options: StoredAnswerOptions): Promise<T> {
  try {
    return await steps();
  } catch (error) {
    const cause = isCliError(error) ? error : undefined;
    const problem = cause?.message ?? (error instanceof Error ? error.message : String(error));
    const hints = [sanitizeText(options.recover), cause?.hint].filter((h): h is string => Boolean(h));
    // A keychain that refused keeps its own code (keychain_locked, …): scripts tell it from a disk problem.
    const code = cause?.code.startsWith('keychain_') ? (cause.code as ErrorCode) : 'local_state';
    throw new CliError(code, `${sanitizeText(options.serviceDid)}, but t0ken could not store it: ${problem}`, {
      hint: hints.join('\n'),
      cause: error,
    });
  }
}
