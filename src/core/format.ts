/** Formatting for people without Intl: loading ICU costs ~25 ms per process, more than a request. */

export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole, fraction] = String(Math.abs(value)).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2026-11-22 14:59 (UTC+01:00)` in this machine's time zone; `note` joins the parenthesis: `(UTC+01:00, in 10 min)`. */
export function formatLocalTime(iso: string, note?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())} (${zone}${note ? `, ${note}` : ''})`;
}

/** Whole minutes from `now` (ms since the epoch) until the ISO time `iso`, never below 0. */
export function minutesLeft(iso: string, now: number): number {
  return Math.max(0, Math.round((Date.parse(iso) - now) / 60_000));
}
