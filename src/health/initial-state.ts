/**
 * A checked server's health at start-up. HAProxy starts it UP, but with the
 * lowest UP health, `rise` (server.c: `check.health = check.rise`), so the
 * very first failed check takes it DOWN; only from full health
 * (rise + fall - 1) does going DOWN take `fall` failures.
 */
import type { ServerCheck } from '../config/types.ts';
import type { HealthState } from './types.ts';

export function initialHealthState(check: ServerCheck, now: number): HealthState {
  return { health: check.rise, up: true, lastChange: now, downtime: 0, chkfail: 0, chkdown: 0 };
}
