import type { Context } from '../context.js';
import { CliError, isCliError } from '../core/errors.js';
import { Exit } from '../core/exit-codes.js';
import { validateVerificationCode } from '../core/validate.js';
import { ask } from '../ui/prompt.js';
import { withSpinner } from '../ui/spinner.js';
import { storeAnswer } from './shared/stored-answer.js';
import { localTime, openT0kenSession } from './shared/t0ken-session.js';

/** Completes the claim with --code, the pending claim's code, or a prompt. */
export async function run(ctx: Context, options: { code?: string }): Promise<void> {
  const session = openT0kenSession(ctx);
  const pending = session.account.pending_claim;
  if (session.account.claim && !pending) {
    ctx.out.warn(`this account was already claimed by ${session.account.claim.email || session.account.claim.merged_to_user_id}; asking the service anyway`);
  }
  if (pending && Date.parse(pending.expires_at) <= Date.now()) {
    throw new CliError('code_expired', `the claim code for ${pending.email} expired at ${localTime(pending.expires_at)}`, Exit.rejected, {
      hint: `Run \`t0ken claim --email ${pending.email}\` for a new code.`,
    });
  }
  const code = validateVerificationCode(
    options.code ??
      pending?.verification_code ??
      (await ask(ctx.prompt, { message: '6-digit verification code:', flag: '--code <code>', validate: (v) => (/^\d{6}$/.test(v.trim()) ? undefined : 'enter the 6 digits') })),
  );
  await session.store.prepareWrite(); // a code is spent once: be able to record the claim
  const answer = await withSpinner(ctx.out, ctx.env, 'Verifying…', () =>
    session.api.claimVerify({ machine_fingerprint: session.account.machine_fingerprint, verification_code: code }),
  ).catch((error: unknown) => {
    throw withClaimHint(error, pending?.email);
  });
  const email = pending?.email ?? '';
  await storeAnswer(session.store, (data) => {
    const account = data.t0ken[session.baseUrl];
    if (!account) return;
    account.claim = { merged_to_user_id: answer.merged_to_user_id, claimed_at: new Date().toISOString(), email };
    delete account.pending_claim;
  }, {
    serviceDid: `the service linked this machine account to ${email || 'its owner'} (user ${answer.merged_to_user_id})`,
    recover: 'The claim is done on the service side and needs nothing more; only this machine\'s record of it is missing (whoami will not show it).',
  });
  ctx.out.result({ ...answer, email: email || null }, () =>
    `Claimed: this machine account is now linked to ${email || 'its owner'} (user ${answer.merged_to_user_id}).`,
  );
}

/** A rejected code (wrong, expired, locked) is fixed by a new claim: say so instead of the generic hint. */
function withClaimHint(error: unknown, email: string | undefined): unknown {
  if (!isCliError(error) || error.exitCode !== Exit.rejected) return error;
  const claim = email ? `t0ken claim --email ${email}` : 't0ken claim --email <email>';
  const hint = error.status === 400
    ? `Check the code and try again (\`t0ken verify --code <code>\`), or run \`${claim}\` for a new one.`
    : `Run \`${claim}\` for a new code, then \`t0ken verify\`.`;
  return new CliError(error.code, error.message, error.exitCode, { hint, status: error.status, cause: error });
}
