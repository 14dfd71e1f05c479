/**
 * When the next check runs: HAProxy's `srv_getinter()` (server.c). `inter`
 * at full health, `downinter` when completely DOWN (health 0), `fastinter`
 * in between — a server that is changing state is checked faster so that
 * the change is confirmed (or undone) sooner. Note that a server just
 * started (UP at health = rise) is in between, so it runs on `fastinter`
 * until its first success.
 */
import type { ServerCheck } from '../config/types.ts';
import type { HealthState } from './types.ts';

export function nextCheckDelay(state: HealthState, check: ServerCheck): number {
  if (state.health >= check.rise + check.fall - 1) return check.inter;
  // HAProxy falls back to `inter` when fastinter/downinter are unset (0).
  if (!state.up && state.health === 0) return check.downinter || check.inter;
  return check.fastinter || check.inter;
}
