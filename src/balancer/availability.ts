/**
 * The one answer to "may this server take traffic?", used by selection,
 * persistence, health logs and stats alike: not in maintenance (`disabled` at
 * start-up, or set from the admin page) and, when it is checked, UP by its
 * health checks. A checked server with no state yet is UP: HAProxy starts
 * checked servers UP (at the lowest UP health).
 *
 * A draining server is usable (its sticky clients stay) but is not offered to
 * the balancing algorithm: see `takesNewClients`.
 */
import type { Server } from '../config/types.ts';
import type { HealthState } from '../health/types.ts';
import type { AdminState } from './admin-state.ts';

export function serverIsUsable(server: Server, health: HealthState | undefined, admin?: AdminState): boolean {
  const mode = admin?.mode ?? (server.disabled ? 'maint' : 'ready');
  if (mode === 'maint') return false;
  if (!server.check) return true;
  return health?.up ?? true;
}

/** Usable and not draining: the balancing algorithm may pick it. */
export function takesNewClients(server: Server, health: HealthState | undefined, admin?: AdminState): boolean {
  return serverIsUsable(server, health, admin) && (admin?.mode ?? 'ready') !== 'drain';
}

/** The key of a server in the HealthStore and in logs: `backend/server`, as HAProxy names it. */
export function serverKey(backendName: string, serverName: string): string {
  return `${backendName}/${serverName}`;
}

export function initialAdminState(server: Server): AdminState {
  return { mode: server.disabled ? 'maint' : 'ready', weight: server.weight };
}
