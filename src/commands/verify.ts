import type { CommandSpec } from '../core/command-spec.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { CliError, isCliError, usageError } from '../core/errors.js';
import { Exit } from '../core/exit-codes.js';
import { noClaimStartedHint } from '../core/claim-story.js';
import { isVerificationCode, validateVerificationCode } from '../core/validate.js';
import { sanitizeLine } from '../core/sanitize.js';
import type { ClaimRecord, PendingClaim } from '../store/schema.js';
import { withSpinner } from '../ui/spinner.js';
import { storeAnswer } from '../identity/stored-answer.js';
import { formatLocalTime } from '../core/format.js';
import { forgetDeadClaim, openClaimTarget, requestClaim } from '../identity/claim-target.js';

export const spec: CommandSpec = {
  path: ['verify'],
  group: 'Machine account:',
  summary: 'complete the claim with its 6-digit code',
  description: 'Complete the claim. Uses --code, else the code of the pending claim that `t0ken claim` stored.',
  options: [
    { flags: '--code <code>', description: '6-digit verification code (default: the pending claim\'s)' },
    { flags: '--fingerprint <fp>', description: 'complete the claim `claim --fingerprint` started for that identity' },
  ],
  examples: ['t0ken verify', 't0ken verify --code 123456', 't0ken verify --fingerprint 0123456789abcdef0123456789abcdef'],
  environment: [...T0KEN_ENV],
};

/**
 * Completes the claim. One path per state: already claimed → exit 0, saying so, nothing sent;
 * a pending claim → its code (or --code); nothing started → --code, else exit 2 with the next step.
 */
export async function run(ctx: Context, options: { code?: string; fingerprint?: string }): Promise<void> {
  const target = await openClaimTarget(ctx, options.fingerprint);
  const { claim, pending_claim: pending } = target.current;
  if (claim) {
    ctx.out.result({ already_claimed: true, ...claim }, () => `Already claimed: ${describeDoneClaim(claim)}. Nothing to verify.`, { quiet: () => sanitizeLine(claim.merged_to_user_id) });
    return;
  }
  if (pending && Date.parse(pending.expires_at) <= ctx.now() && options.code === undefined) {
    throw new CliError('code_expired', `the claim code for ${pending.email} expired at ${formatLocalTime(pending.expires_at)}`, {
      hint: `Run \`t0ken claim --email ${pending.email}${target.flag}\` for a new code.`,
    });
  }
  const given = options.code ?? pending?.verification_code;
  if (given === undefined) throw usageError(`no claim was started ${target.flag ? `for ${target.label}` : 'from this machine'}, so there is no code to verify`, noClaimStartedHint(target.flag));
  if (options.code === undefined && !isVerificationCode(given)) {
    // Not the user's mistake (they passed no code): the stored claim was changed by hand (it was exit 2, "pass --code").
    throw new CliError('local_state', `the claim stored in ${target.store.path} holds a code that is not 6 digits, so it cannot be verified`, {
      hint: `Pass the code from the email with \`t0ken verify --code 123456${target.flag}\`, or start again with \`t0ken claim --email ${sanitizeLine(pending!.email)}${target.flag}\`.`,
    });
  }
  const code = validateVerificationCode(given);
  await target.store.prepareWrite(); // a code is spent once: be able to record the claim
  const answer = await withSpinner(ctx, 'Verifying…', () =>
    requestClaim(target, ctx.now(), (machineFingerprint) => target.api.claimVerify({ machine_fingerprint: machineFingerprint, verification_code: code })).catch(async (error: unknown) => {
      if (isCliError(error) && error.status === 410) await forgetDeadClaim(target);
      throw withClaimHint(error, pending, target.flag, ctx.now());
    }),
  );
  const email = pending?.email ?? '';
  await storeAnswer(target.store, (data) => {
    const holder = target.holder(data);
    if (!holder) return;
    holder.claim = { merged_to_user_id: answer.merged_to_user_id, claimed_at: new Date(ctx.now()).toISOString(), email, source: 'verify' };
    delete holder.pending_claim;
  }, {
    serviceDid: `the service linked ${target.label} to ${email || 'its owner'} (user ${sanitizeLine(answer.merged_to_user_id)})`,
    recover: 'The claim is done on the service side and needs nothing more; only this machine\'s record of it is missing (whoami will not show it).',
  });
  ctx.out.result(
    { ...answer, email: email || null },
    () => `Claimed: ${target.label} is now linked to ${email || 'its owner'} (user ${sanitizeLine(answer.merged_to_user_id)}).`,
    { quiet: () => sanitizeLine(answer.merged_to_user_id) },
  );
}

function describeDoneClaim(claim: ClaimRecord): string {
  if (claim.source === 'service') return `the t0ken service said so when this machine tried to claim it (${formatLocalTime(claim.claimed_at)})`;
  return `linked to ${sanitizeLine(claim.email) || 'its owner'} (user ${sanitizeLine(claim.merged_to_user_id)}) on ${formatLocalTime(claim.claimed_at)}`;
}

/** How soon after a code the service sends another (it answers a quicker `claim` with 429). */
const NEW_CODE_COOLDOWN_MS = 60_000;

/**
 * A rejected code (wrong, expired, locked) is fixed by a new claim: say so instead of the generic
 * hint. A wrong code is first worth checking; a new code is not to be had within a minute of the
 * last one, so the hint says from when.
 */
function withClaimHint(error: unknown, pending: PendingClaim | undefined, flag: string, now: number): unknown {
  if (!isCliError(error) || error.exitCode !== Exit.rejected) return error;
  const claim = `${pending ? `t0ken claim --email ${pending.email}` : 't0ken claim --email <email>'}${flag}`;
  const readyAt = pending ? Date.parse(pending.started_at) + NEW_CODE_COOLDOWN_MS : Number.NaN;
  const newCode = readyAt > now ? `\`${claim}\` for a new one from ${formatLocalTime(new Date(readyAt).toISOString())} on (one code a minute)` : `\`${claim}\` for a new one`;
  const hint = error.status === 400
    ? `Check the code and try again (\`t0ken verify${flag} --code <code>\`), or run ${newCode}.`
    : `Run ${newCode.replace(' for a new one', ' for a new code')}, then \`t0ken verify${flag}\`.`;
  return new CliError(error.code, error.message, { exitCode: error.exitCode, hint, status: error.status, cause: error });
}
