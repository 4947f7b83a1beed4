// The one description of claiming, as the t0ken service documents it ("Claim Process": the machine
// gets a 6-digit code, the person enters it on t0ken.ai to verify ownership, the machine account
// merges into the person's account, memories and settings are kept). `claim --help`, claim's output,
// `verify`'s errors and the README all use these words; a test checks the README quotes them.

/** The steps, numbered in `claim --help` and the README. */
export const CLAIM_STEPS: readonly string[] = [
  '`t0ken claim --email you@example.com` asks t0ken for a 6-digit code for that address (valid about 10 minutes).',
  'The person with that email enters the code on t0ken.ai to confirm they own this machine account.',
  '`t0ken verify` sends the same code from this machine: the machine account merges into the person\'s account; its memories and settings are kept.',
];

/** The steps as a numbered list, one a line, indented by `indent`. */
export function claimSteps(indent = ''): string {
  return CLAIM_STEPS.map((step, i) => `${indent}${i + 1}. ${step}`).join('\n');
}

/** What claim prints after the code: the two steps still to do. */
export function claimNextSteps(email: string, code: string, flag = ''): string {
  return `Next: ${email} enters this code on t0ken.ai, then run \`t0ken verify${flag}\` here (or \`t0ken verify${flag} --code ${code}\`) before it expires.`;
}

/** verify with no claim started: what to do first. */
export const noClaimStartedHint = (flag = ''): string =>
  `Start one with \`t0ken claim --email you@example.com${flag}\`, then run \`t0ken verify${flag}\` once the code is entered on t0ken.ai (or pass --code <code> for a claim started elsewhere).`;
