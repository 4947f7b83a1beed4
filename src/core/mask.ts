/**
 * Masks a secret for display: the prefix through the last `_`, an ellipsis, the last 4 characters
 * (`omx_agent_…x9Qa`). Short or prefix-less secrets show only the ellipsis and the tail.
 */
export function maskSecret(secret: string): string {
  const lastUnderscore = secret.lastIndexOf('_');
  const prefix = lastUnderscore >= 0 ? secret.slice(0, lastUnderscore + 1) : '';
  const rest = secret.slice(prefix.length);
  if (rest.length <= 8) return `${prefix}…`;
  return `${prefix}…${rest.slice(-4)}`;
}
