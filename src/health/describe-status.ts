/**
 * The health part of the stats `status` column, as HAProxy 2.6's stats.c
 * builds it from `srv_hlt_st`:
 *  - UP at full health: `UP`; UP below it: `UP n/fall`, n = health − rise + 1
 *    (how many more failures it takes, counting this level, to go DOWN);
 *  - DOWN at 0: `DOWN`; DOWN above it: `DOWN health/rise`;
 *  - stopping (`disable-on-404`): `NOLB`, `NOLB n/fall`, numbered as UP.
 * Maintenance, drain and "no check" are the caller's (they depend on the
 * admin state, not on the checks).
 */
import type { ServerCheck } from '../config/types.ts';
import type { HealthState } from './types.ts';

export function describeStatus(state: HealthState, check: ServerCheck): string {
  const full = check.rise + check.fall - 1;
  const word = state.stopping ? 'NOLB' : 'UP';
  if (state.up) return state.health < full ? `${word} ${state.health - check.rise + 1}/${check.fall}` : word;
  return state.health > 0 ? `DOWN ${state.health}/${check.rise}` : 'DOWN';
}
