/**
 * HAProxy time values (`parse_time_err()` in src/tools.c): an unsigned integer
 * and an optional unit `us`, `ms`, `s`, `m`, `h` or `d`. Units are
 * case-sensitive and fractions are rejected (`1.5s`, `1S` are errors in 2.6).
 * The bare unit depends on the keyword: milliseconds for `timeout` and server
 * `inter`, seconds for cookie `maxidle`/`maxlife` and `stats refresh`.
 */

export type TimeUnit = 'ms' | 's';

export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

/** HAProxy's timers are signed 32-bit milliseconds ("maximum value is 2147483647 ms or ~24.8 days"). */
export const MAX_DURATION_MS = 2_147_483_647;

const MICROSECONDS_PER: Record<string, number> = {
  us: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
};

/**
 * Converts `text` to milliseconds. The value is first expressed in the
 * keyword's own unit and rounded up, as HAProxy does (`1us` is 1 ms;
 * `maxidle 1500ms` is 2 s).
 */
export function parseDuration(text: string, bareUnit: TimeUnit = 'ms'): DurationResult {
  const match = /^(\d+)(.*)$/.exec(text);
  if (!match) {
    return text === ''
      ? { ok: false, problem: 'missing time value' }
      : { ok: false, problem: `unexpected character '${text[0]}' in time value '${text}'` };
  }
  const digits = match[1]!;
  const unit = match[2]!;
  const unitUs = unit === '' ? MICROSECONDS_PER[bareUnit] : MICROSECONDS_PER[unit];
  if (unitUs === undefined) {
    return { ok: false, problem: `unexpected character '${unit[0]}' in time value '${text}'; units are us, ms, s, m, h, d` };
  }
  const targetUs = MICROSECONDS_PER[bareUnit]!;
  const inTarget = Math.ceil((Number(digits) * unitUs) / targetUs);
  const ms = bareUnit === 's' ? inTarget * 1000 : inTarget;
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    return { ok: false, problem: `timer overflow in '${text}' (maximum value is 2147483647 ms or ~24.8 days)` };
  }
  return { ok: true, ms };
}

/** Accepts a number of milliseconds or an HAProxy time string; for object configs. */
export function durationFromValue(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return { ok: false, problem: `expected a non-negative integer of milliseconds, got ${value}` };
    if (value > MAX_DURATION_MS) return { ok: false, problem: `${value} ms is more than the maximum 2147483647 ms` };
    return { ok: true, ms: value };
  }
  if (typeof value === 'string') return parseDuration(value, 'ms');
  return { ok: false, problem: `expected milliseconds or a time string like "2s", got ${describeValue(value)}` };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
