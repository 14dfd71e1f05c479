import type { ServerCheck } from '../../src/config/types.ts';
import type { CheckResult } from '../../src/health/types.ts';

export function check(over: Partial<ServerCheck> = {}): ServerCheck {
  return { inter: 2000, fastinter: 2000, downinter: 2000, rise: 2, fall: 3, ...over };
}

export const OK: CheckResult = { ok: true, status: 'L4OK', durationMs: 0 };
export const REFUSED: CheckResult = { ok: false, status: 'L4CON', info: 'Connection refused', durationMs: 0 };
