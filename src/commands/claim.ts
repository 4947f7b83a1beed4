import type { CommandSpec } from '../core/command-spec.js';
import { T0KEN_ENV } from '../core/environment.js';
import { claimSteps } from '../core/claim-story.js';
import type { Context } from '../context.js';
import { claimNextSteps } from '../core/claim-story.js';
import { emailProblem, validateEmail } from '../core/validate.js';
import { ask } from '../ui/prompt.js';
import { withSpinner } from '../ui/spinner.js';
import { storeAnswer } from '../identity/stored-answer.js';
import { formatLocalTime, minutesLeft } from '../core/format.js';
import { openClaimTarget, requestClaim } from '../identity/claim-target.js';

export const spec: CommandSpec = {
  path: ['claim'],
  group: 'Machine account:',
  summary: 'start linking this machine account to a human',
  description: 'Start linking the machine account to a person: prints the 6-digit code they enter on t0ken.ai.',
  options: [
    { flags: '--email <email>', description: 'email address of the person claiming the account' },
    { flags: '--fingerprint <fp>', description: 'claim another MemoryX identity on this machine instead, with its own key (its fingerprint, from `t0ken whoami --all`)' },
  ],
  helpBefore: `\nHow claiming works:\n${claimSteps('  ')}\n`,
  examples: ['t0ken claim --email you@example.com', 't0ken claim --email you@example.com --json', 't0ken claim --email you@example.com --fingerprint 0123456789abcdef0123456789abcdef'],
  environment: [...T0KEN_ENV],
};

/**
 * Starts linking the machine account (or, with --fingerprint, another MemoryX identity found on this
 * machine, with its own key) to a person: prints the 6-digit code and stores the pending claim.
 */
export async function run(ctx: Context, options: { email?: string; fingerprint?: string }): Promise<void> {
  const target = await openClaimTarget(ctx, options.fingerprint);
  const email = validateEmail(
    options.email ??
      (await ask(ctx.prompt, {
        message: 'Email of the person claiming this machine account:',
        flag: '--email <email>',
        validate: (value) => emailProblem(value.trim()),
      })),
  );
  await target.store.prepareWrite(); // the code is issued once, with a cooldown: be able to keep it
  const answer = await withSpinner(ctx, 'Starting the claim…', () =>
    requestClaim(target, ctx.now(), (machineFingerprint) => target.api.claimInit({ machine_fingerprint: machineFingerprint, email })),
  );
  await storeAnswer(target.store, (data) => {
    const holder = target.holder(data);
    if (!holder) return; // logged out meanwhile: nothing to attach the claim to
    holder.pending_claim = { email, verification_code: answer.verification_code, expires_at: answer.expires_at, started_at: new Date(ctx.now()).toISOString() };
  }, {
    serviceDid: `the service issued verification code ${answer.verification_code} for ${email} (it expires ${formatLocalTime(answer.expires_at)})`,
    recover: `Keep that code: once ${email} has confirmed, run \`t0ken verify${target.flag} --code ${answer.verification_code}\` before it expires.`,
  });
  const minutes = minutesLeft(answer.expires_at, ctx.now());
  ctx.out.result(
    { verification_code: answer.verification_code, expires_at: answer.expires_at, email, ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}) },
    () => [...(options.fingerprint ? [`Claiming ${target.label}.`] : []), `Verification code: ${ctx.out.style.bold(answer.verification_code)}`, `Expires: ${formatLocalTime(answer.expires_at, `in ${minutes} min`)}`].join('\n'),
    { quiet: () => answer.verification_code },
  );
  ctx.out.info(claimNextSteps(email, answer.verification_code, target.flag));
}
