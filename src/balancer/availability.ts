/**
 * The one answer to "may this server take traffic?", used by selection,
 * persistence, retries, health logs and stats alike. Two questions, as in
 * HAProxy:
 *
 * - `serverIsUsable`: may it take a request at all, sticky ones included —
 *   not in maintenance (`disabled` at start-up, or set from the admin page)
 *   and, when it is checked, UP by its health checks. A checked server with
 *   no state yet is UP: HAProxy starts checked servers UP (at the lowest UP
 *   health).
 * - `takesNewClients`: may the balancing algorithm pick it, and does it count
 *   as an active or backup server (HAProxy's `srv_willbe_usable()`): usable,
 *   not draining (its sticky clients stay), not stopping (`http-check
 *   disable-on-404` saw a 404: HAProxy's NOLB, which also keeps sticky
 *   clients), and a weight above 0.
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

export function takesNewClients(server: Server, health: HealthState | undefined, admin?: AdminState): boolean {
  return (
    serverIsUsable(server, health, admin) &&
    (admin?.mode ?? 'ready') !== 'drain' &&
    !(server.check && health?.stopping) &&
    (admin?.weight ?? server.weight) > 0
  );
}

/** The key of a server in the HealthStore and in logs: `backend/server`, as HAProxy names it. */
export function serverKey(backendName: string, serverName: string): string {
  return `${backendName}/${serverName}`;
}

export function initialAdminState(server: Server): AdminState {
  return { mode: server.disabled ? 'maint' : 'ready', weight: server.weight };
}
