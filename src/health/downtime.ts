/**
 * Total time a server has spent DOWN, including the current period if it is
 * DOWN now: HAProxy's `srv_downtime()` (server.c), which the stats show.
 */
import type { HealthState } from './types.ts';

export function totalDowntime(state: HealthState, now: number): number {
  if (state.up || state.lastChange >= now) return state.downtime;
  return state.downtime + (now - state.lastChange);
}
