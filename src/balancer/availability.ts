/**
 * The one answer to "may this server take traffic?", used by selection,
 * persistence and stats alike: not `disabled` (maintenance) and, when it is
 * checked, UP by its health checks. A checked server with no state yet is UP:
 * HAProxy starts checked servers UP (at the lowest UP health).
 */
import type { Server } from '../config/types.ts';
import type { HealthState } from '../health/types.ts';

export function serverIsUsable(server: Server, health: HealthState | undefined): boolean {
  if (server.disabled) return false;
  if (!server.check) return true;
  return health?.up ?? true;
}

/** The key of a server in the HealthStore and in logs: `backend/server`, as HAProxy names it. */
export function serverKey(backendName: string, serverName: string): string {
  return `${backendName}/${serverName}`;
}
