import type { CommandSpec } from '../../core/command-spec.js';
import type { Context } from '../../context.js';
import { usageError } from '../../core/errors.js';
import { maskSecret } from '../../core/mask.js';
import type { SecretHolder } from '../../store/schema.js';
import { keychainCliError, readPlaced, type SecretLabel } from '../../store/secrets/choose.js';
import { fromFile, inFile } from '../../store/secrets/file.js';
import { KeychainError, refFor, type Placement, type SecretKind, type Storage } from '../../store/secrets/types.js';
import { keychainFor } from '../../identity/credentials.js';
import { storeFor } from '../../identity/store.js';

export const spec: CommandSpec = {
  path: ['credentials', 'migrate'],
  summary: 'move every stored secret to the keychain or the file',
  description: 'Move every stored secret to the OS keychain or to config.json (mode 600). The new home is written first, then the config, then the old home is cleared: interrupted, a secret is never in neither place.',
  options: [{ flags: '--to <store>', description: 'where to move them', choices: ['keyring', 'file'], required: true }],
  examples: ['t0ken credentials migrate --to keyring', 't0ken credentials migrate --to file --json'],
  environment: ['T0KEN_CONFIG_DIR'],
};

interface Moved {
  kind: SecretKind;
  api_url: string;
  from: Storage;
  to: Storage;
}

/** A secret's new home, read or written in the keychain, to apply to its record. */
interface Change {
  label: SecretLabel;
  /** The record as it was when the move began: applied only if it is still so. */
  was: SecretHolder;
  now: Placement;
}

/**
 * Moves every stored secret to the keychain or to the file. Each move writes the new home first,
 * then the config record (atomically), then deletes the old home: interrupted at any point, the
 * secret is in one place or both, never in neither. The keychain is asked with no lock held (it may
 * take up to 20 s a call); the records are then changed under the lock, each only if no other
 * t0ken changed it in the meantime.
 */
export async function run(ctx: Context, options: { to?: string }): Promise<void> {
  const to = options.to;
  if (to !== 'keyring' && to !== 'file') throw usageError('--to must be keyring or file', 'For example: t0ken credentials migrate --to keyring');
  const store = storeFor(ctx);
  const keychain = keychainFor(ctx);
  const changes: Change[] = [];
  const inKeychain: [SecretLabel, SecretHolder][] = [];
  let failure: unknown;

  const data = store.read();
  const records: [SecretLabel, SecretHolder][] = [
    ...Object.entries(data.t0ken).map(([url, r]): [SecretLabel, SecretHolder] => [{ kind: 't0ken', baseUrl: url }, r]),
    ...Object.entries(data.mnemom).map(([url, r]): [SecretLabel, SecretHolder] => [{ kind: 'mnemom', baseUrl: url }, r]),
  ];
  for (const [label, record] of records) {
    try {
      if (to === 'keyring') {
        const secret = fromFile(record);
        if (secret === undefined) {
          if (record.api_key_ref) inKeychain.push([label, record]);
          continue;
        }
        const ref = refFor(label.kind, label.baseUrl);
        await keychain().set(ref.account, secret);
        changes.push({ label, was: record, now: { api_key_ref: ref, api_key_masked: maskSecret(secret) } });
      } else {
        if (!record.api_key_ref) continue;
        const { secret } = await readPlaced(record, keychain, label);
        changes.push({ label, was: record, now: inFile(secret) });
      }
    } catch (error) {
      // Keep what moved so far (it is written below), and stop at the first secret that cannot move.
      failure = error instanceof KeychainError ? keychainCliError(error, label, to === 'keyring' ? 'migrate' : 'read') : error;
      break;
    }
  }
  // Once the others moved: a secret said to be in the keychain already must really be there (a
  // missing entry is exit 7 with the command that stores it again, not "already in the keychain").
  for (const [label, record] of failure === undefined ? inKeychain : []) {
    try {
      await readPlaced(record, keychain, label);
    } catch (error) {
      failure = error;
      break;
    }
  }

  const moved: Moved[] = [];
  if (changes.length > 0) {
    await store.update((fresh) => {
      for (const { label, was, now } of changes) {
        const record: SecretHolder | undefined = fresh[label.kind][label.baseUrl];
        if (!record || record.api_key !== was.api_key || record.api_key_ref?.account !== was.api_key_ref?.account) continue;
        delete record.api_key;
        delete record.api_key_ref;
        delete record.api_key_masked;
        Object.assign(record, now);
        moved.push({ kind: label.kind, api_url: label.baseUrl, from: to === 'keyring' ? 'file' : 'keyring', to });
      }
    });
  }

  if (to === 'file' && moved.length > 0) await deleteOldEntries(ctx, moved);
  if (failure !== undefined) {
    if (moved.length > 0) ctx.out.warn(`moved ${secrets(moved.length)} before stopping: ${moved.map(describe).join(', ')}`);
    throw failure;
  }

  const where = to === 'keyring' ? 'the OS keychain' : `${store.path} (mode 600)`;
  ctx.out.result({ to, moved, config_path: store.path }, () =>
    moved.length === 0
      ? `Nothing to move: every stored secret is already in ${where}.`
      : `Moved ${secrets(moved.length)} to ${where}: ${moved.map(describe).join(', ')}.`,
    { quiet: () => moved.map(describe).join('\n') },
  );
}

/**
 * Deletes the keychain entries whose secrets are now in the file, only when no record points at
 * them any more (a parallel `migrate --to keyring` may have put them back). No lock is held while
 * the keychain is asked.
 */
async function deleteOldEntries(ctx: Context, moved: readonly Moved[]): Promise<void> {
  const keychain = keychainFor(ctx);
  const data = storeFor(ctx).read();
  const referenced = new Set([...Object.values(data.t0ken), ...Object.values(data.mnemom)].map((r) => r.api_key_ref?.account).filter(Boolean));
  for (const m of moved) {
    const account = refFor(m.kind, m.api_url).account;
    if (referenced.has(account)) continue;
    try {
      await keychain().delete(account);
    } catch (error) {
      if (!(error instanceof KeychainError)) throw error;
      ctx.out.warn(`the old keychain entry ${account} could not be deleted (${error.reason}); the secret is in the config file now, so remove the entry when the keychain answers`);
    }
  }
}

const describe = (m: Moved): string => `${m.kind === 't0ken' ? 't0ken key' : 'Mnemom key'} for ${m.api_url}`;

const secrets = (count: number): string => `${count} ${count === 1 ? 'secret' : 'secrets'}`;
