/**
 * The `status` column of HAProxy's stats for a server and a backend, as
 * haproxy 2.6 computes it in stats.c (`srv_hlt_st` and the backend's
 * "UP if it has weight or no servers at all"), from the same availability
 * rules the balancer uses.
 */
import type { Backend, Server } from '../config/types.ts';
import type { HealthState } from '../health/types.ts';
import type { AdminState } from '../balancer/admin-state.ts';
import { takesNewClients } from '../balancer/availability.ts';

/**
 * `UP`, `DOWN`, `MAINT`, `DRAIN`, `NOLB` (stopping, from `http-check
 * disable-on-404`), `no check`, or a transition, numbered as
 * HAProxy does: `UP 1/3` is up with health − rise + 1 of `fall` left before
 * going down, `DOWN 1/2` is down with `health` of the `rise` successes needed.
 * A checked server without a state yet is UP at the lowest UP health, as
 * HAProxy starts it.
 */
export function serverStatusText(server: Server, health: HealthState | undefined, admin: AdminState): string {
  if (admin.mode === 'maint') return 'MAINT';
  const check = server.check;
  if (!check) return admin.mode === 'drain' ? 'DRAIN' : 'no check';
  const full = check.rise + check.fall - 1;
  const level = health?.health ?? check.rise;
  const up = health?.up ?? true;
  if (up) {
    const goingDown = level < full;
    const word = admin.mode === 'drain' ? 'DRAIN' : health?.stopping ? 'NOLB' : 'UP';
    return goingDown ? `${word} ${level - check.rise + 1}/${check.fall}` : word;
  }
  return level > 0 ? `DOWN ${level}/${check.rise}` : 'DOWN';
}

export interface BackendWeights {
  /** Usable active servers with a non-zero weight (`act`), backups likewise (`bck`). */
  readonly active: number;
  readonly backup: number;
  /** Weight the balancing algorithm sees (`weight`): actives', else the first backup's or all backups'. */
  readonly weight: number;
  /** Sum of the user weights of the same servers (`uweight`). */
  readonly userWeight: number;
}

/**
 * What HAProxy's `recount_servers` + `update_backend_weight` report: only
 * servers that take new clients (UP, not draining, not in maintenance) with a
 * weight > 0 count; without usable actives, the first usable backup (or all
 * backups with `option allbackups`) carries the weight.
 */
export function backendWeights(
  backend: Backend,
  health: (i: number) => HealthState | undefined,
  admin: (i: number) => AdminState,
): BackendWeights {
  let active = 0;
  let backup = 0;
  let activeWeight = 0;
  let backupWeight = 0;
  let firstBackupWeight: number | undefined;
  backend.servers.forEach((server, i) => {
    const a = admin(i);
    if (!takesNewClients(server, health(i), a)) return;
    if (server.backup) {
      backup++;
      backupWeight += a.weight;
      firstBackupWeight ??= a.weight;
    } else {
      active++;
      activeWeight += a.weight;
    }
  });
  const weight = active > 0 ? activeWeight : backend.allBackups ? backupWeight : (firstBackupWeight ?? 0);
  return { active, backup, weight, userWeight: weight };
}

/** A backend is UP when something can take its traffic, or when it has no servers at all (a stats-only `listen`). */
export function backendStatusText(backend: Backend, weights: BackendWeights): string {
  return weights.weight > 0 || backend.servers.length === 0 ? 'UP' : 'DOWN';
}
