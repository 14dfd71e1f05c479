/**
 * What one check result does to a server's health, as HAProxy 2.6 does it in
 * check.c: `set_server_check_status()` moves the counter, then
 * `check_notify_failure()` / `check_notify_success()` call `srv_set_stopped()`
 * / `srv_set_running()` (server.c, `srv_update_status()`) when it crosses.
 *
 * The counter is not a plain ±1 walk. HAProxy snaps it to the ends:
 *  - failure: health − 1, and if that falls below `rise`, straight to 0;
 *  - success: health + 1, and if that reaches `rise`, straight to
 *    rise + fall − 1 (full health).
 * So an UP server with some failures behind it ("UP 2/3") is back at full
 * health after one success, and a DOWN server that had started to recover
 * ("DOWN 1/2") is back at 0 after one failure. From full health it takes
 * `fall` consecutive failures to go DOWN; from 0, `rise` successes to go UP.
 */
import type { ServerCheck } from '../config/types.ts';
import type { CheckResult, HealthState } from './types.ts';

/** `NOLB`: a conditional pass (`disable-on-404`) put a running server in HAProxy's "stopping" state. */
export type HealthTransition = 'UP' | 'DOWN' | 'NOLB';

export interface CheckOutcome {
  readonly state: HealthState;
  /** Set when this result changed the server's UP/NOLB/DOWN state. */
  readonly transition?: HealthTransition;
}

export function applyCheckResult(state: HealthState, result: CheckResult, check: ServerCheck, now: number): CheckOutcome {
  const full = check.rise + check.fall - 1;
  // A state kept across a reload with other rise/fall values is brought back in range.
  let health = Math.min(Math.max(state.health, 0), full);
  let chkfail = state.chkfail;

  if (!result.ok) {
    // HAProxy counts a failed check (`failed_checks`, stats' chkfail) only
    // while the counter can still drop: a server already at 0 adds nothing.
    if (health > 0) {
      chkfail++;
      health--;
      if (health < check.rise) health = 0;
    }
  } else if (health < full) {
    // A conditional pass (L7OKC) moves the counter as a pass does.
    health++;
    if (health >= check.rise) health = full;
  }

  const base = { ...state, health, chkfail, lastCheck: result };
  const wasStopping = state.up && state.stopping === true;

  // check_notify_failure(): only a counter at 0 stops the server.
  if (!result.ok && health === 0 && state.up) {
    return {
      state: { ...base, up: false, stopping: false, lastChange: now, chkdown: state.chkdown + 1 },
      transition: 'DOWN',
    };
  }
  if (!result.ok || health < check.rise) return { state: base };
  const downtime = state.up ? state.downtime : state.downtime + Math.max(0, now - state.lastChange);
  // check_notify_stopping() / srv_set_stopping(): a running server enters NOLB.
  if (result.status === 'L7OKC') {
    if (wasStopping) return { state: base };
    return { state: { ...base, up: true, stopping: true, lastChange: now, downtime }, transition: 'NOLB' };
  }
  // check_notify_success(): only a counter at `rise` or above starts it (from DOWN or NOLB).
  if (!state.up || wasStopping) {
    return { state: { ...base, up: true, stopping: false, lastChange: now, downtime }, transition: 'UP' };
  }
  return { state: base };
}
