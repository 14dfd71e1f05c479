/**
 * Which group of servers takes traffic: HAProxy's `recount_servers()`
 * (backend.c). Active servers when any is usable; otherwise, without
 * `option allbackups`, only the first usable backup in declaration order
 * (`lbprm.fbck`); with it, all usable backups.
 */
import type { LbServer } from './lb-server.ts';

export interface ServerGroups {
  /** `px->srv_act`: usable active servers. */
  readonly activeCount: number;
  /** `px->srv_bck`: usable backup servers. */
  readonly backupCount: number;
  /** `px->lbprm.fbck`: the single backup in use, when not `allbackups`. */
  readonly firstBackup: LbServer | undefined;
  /** `tot_wact` / `tot_wbck`: sums of the usable servers' effective weights. */
  readonly activeWeight: number;
  readonly backupWeight: number;
}

export function recountServers(servers: readonly LbServer[], allBackups: boolean): ServerGroups {
  let activeCount = 0;
  let backupCount = 0;
  let activeWeight = 0;
  let backupWeight = 0;
  let firstBackup: LbServer | undefined;
  for (const server of servers) {
    if (!server.willbeUsable()) continue;
    if (server.backup) {
      if (backupCount === 0 && !allBackups) firstBackup = server;
      backupCount++;
      backupWeight += server.nextEweight;
    } else {
      activeCount++;
      activeWeight += server.nextEweight;
    }
  }
  return { activeCount, backupCount, firstBackup, activeWeight, backupWeight };
}

/**
 * `update_backend_weight()`: the total weight the map algorithms spread over —
 * the actives', else the first backup's alone, else all backups'.
 */
export function backendTotalWeight(groups: ServerGroups): number {
  if (groups.activeCount) return groups.activeWeight;
  if (groups.firstBackup) return groups.firstBackup.nextEweight;
  return groups.backupWeight;
}
