import { isRecord } from './is-record.js';

/**
 * Reading the machine-readable parts of a service's error body, wherever the service put them:
 * `{"error": {"code", "details": {…}}}`, `{"details": {…}}`, or the top level.
 */

/** The value of `key` in the body's details (error.details, details, error, then the top level). */
export function errorDetail(body: unknown, key: string): unknown {
  if (!isRecord(body)) return undefined;
  const error = isRecord(body.error) ? body.error : undefined;
  for (const place of [error?.details, body.details, error, body]) {
    if (isRecord(place) && place[key] !== undefined) return place[key];
  }
  return undefined;
}

/** True when the body names this error code (as error.code, code, or a bare error string). */
export function hasErrorCode(body: unknown, code: string): boolean {
  if (!isRecord(body)) return false;
  const error = body.error;
  return (isRecord(error) && error.code === code) || error === code || body.code === code;
}

export interface ClaimableOrg {
  org_id: string;
  name: string | null;
  is_personal: boolean;
}

/** `details.claimable_orgs`, keeping only well-formed entries. Text is the caller's to sanitise. */
export function claimableOrgs(body: unknown): ClaimableOrg[] {
  const list = errorDetail(body, 'claimable_orgs');
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).flatMap((org) =>
    typeof org.org_id === 'string' && org.org_id !== ''
      ? [{ org_id: org.org_id, name: typeof org.name === 'string' ? org.name : null, is_personal: org.is_personal === true }]
      : [],
  );
}

/** The other agent a 409 names (`details.conflict_agent_id` or a top-level `conflict_agent_id`). */
export function conflictAgentId(body: unknown): string | undefined {
  const id = errorDetail(body, 'conflict_agent_id');
  return typeof id === 'string' && id !== '' ? id : undefined;
}
