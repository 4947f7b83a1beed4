import type { CommandSpec } from '../../core/command-spec.js';
import { CREDENTIALS_HELP } from './help-text.js';
import type { Context } from '../../context.js';
import { isCliError } from '../../core/errors.js';
import { maskSecret } from '../../core/mask.js';
import { KeychainError, type StoreMode } from '../../store/secrets/types.js';
import { keychainFor, readSecret, secretHomes, storeMode, type SecretHome } from '../../identity/credentials.js';
import { storeFor } from '../../identity/store.js';

export const spec: CommandSpec = {
  path: ['credentials', 'status'],
  summary: 'where each stored secret lives, and whether it can be read',
  description: `Show each stored secret's home (keychain or config file) and state, and where new secrets go.\n\n${CREDENTIALS_HELP}`,
  examples: ['t0ken credentials status', 't0ken credentials status --json | jq -r \'.secrets[] | "\\(.api_url) \\(.storage)"\''],
  environment: ['T0KEN_CREDENTIAL_STORE', 'T0KEN_CONFIG_DIR'],
};

type SecretState = 'ok' | 'keychain_locked' | 'keychain_entry_missing' | 'keychain_unavailable' | 'keychain_failed';

interface SecretStatus extends SecretHome {
  state: SecretState;
  api_key_masked: string | null;
}

/** Where each stored secret lives and whether it can be read; whether a keychain takes writes here. */
export async function run(ctx: Context): Promise<void> {
  const store = storeFor(ctx);
  const data = store.read();
  const mode = storeMode(ctx);
  const secrets: SecretStatus[] = [];
  for (const home of secretHomes(data)) {
    const record = home.kind === 't0ken' ? data.t0ken[home.api_url]! : data.mnemom[home.api_url]!;
    try {
      const { secret } = await readSecret(ctx, record, { kind: home.kind, baseUrl: home.api_url });
      secrets.push({ ...home, state: 'ok', api_key_masked: maskSecret(secret) });
    } catch (error) {
      if (!isCliError(error) || !error.code.startsWith('keychain_')) throw error;
      secrets.push({ ...home, state: error.code as SecretState, api_key_masked: null });
    }
  }
  const keychain = await keychainState(ctx, mode);
  const newSecretsGoTo = mode === 'file' ? 'file' : mode === 'keyring' ? 'keyring' : keychain.available ? 'keyring' : 'file';

  ctx.out.result({ store_mode: mode, new_secrets_go_to: newSecretsGoTo, keychain, config_path: store.path, secrets }, () => {
    const rows = secrets.map((s) => [
      s.kind,
      s.api_url,
      s.storage === 'keyring' ? 'keychain' : 'config file',
      s.state === 'ok' ? s.api_key_masked! : s.state.replace(/_/g, ' '),
    ]);
    const lines = [rows.length ? columns([['secret', 'api', 'stored in', 'key'], ...rows], ctx.out.style.dim) : 'No secrets are stored.'];
    lines.push('');
    lines.push(`config file: ${store.path}`);
    lines.push(`keychain: ${keychain.available === null ? 'not asked (T0KEN_CREDENTIAL_STORE=file)' : keychain.available ? 'takes writes' : `unavailable: ${keychain.reason}`}`);
    lines.push(`new secrets go to: ${newSecretsGoTo === 'keyring' ? 'the keychain' : 'the config file (mode 600)'} (T0KEN_CREDENTIAL_STORE=${mode})`);
    return lines.join('\n');
  });
  for (const s of secrets.filter((x) => x.state !== 'ok')) {
    ctx.out.warn(`${s.kind} key for ${s.api_url}: ${s.state.replace(/_/g, ' ')}${s.state === 'keychain_entry_missing' ? (s.kind === 't0ken' ? '; run `t0ken register --force`' : '; run `t0ken agent login --with-token`') : ''}`);
  }
}

/** Whether the keychain takes a real write now (not asked with T0KEN_CREDENTIAL_STORE=file). */
async function keychainState(ctx: Context, mode: StoreMode): Promise<{ available: boolean | null; reason: string | null }> {
  if (mode === 'file') return { available: null, reason: null };
  try {
    await keychainFor(ctx)().probe();
    return { available: true, reason: null };
  } catch (error) {
    if (error instanceof KeychainError) return { available: false, reason: error.reason };
    throw error;
  }
}

/** Left-aligned columns, the header dimmed. */
function columns(rows: readonly string[][], dim: (text: string) => string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((row, n) => {
      const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
      return n === 0 ? dim(line) : line;
    })
    .join('\n');
}
