/**
 * `balance first`: HAProxy 2.6's src/lb_fas.c. The servers of the group in
 * use are ordered by id (declaration order here) and the first one with a
 * free connection slot (`maxconn`) wins, so the first servers fill up before
 * the next ones get anything and idle ones can be powered down. Without
 * `maxconn` the first usable server takes everything.
 */
import type { Backend } from '../config/types.ts';
import { LbServer } from './lb-server.ts';
import { recountServers } from './server-groups.ts';
import type { SelectionView, ServerSelector } from './types.ts';
import { stageView } from './view-sync.ts';

export class FirstAvailableSelector implements ServerSelector {
  readonly #servers: readonly LbServer[];
  readonly #allBackups: boolean;
  readonly #configuredWeights: readonly number[];

  constructor(backend: Backend) {
    this.#allBackups = backend.allBackups;
    this.#configuredWeights = backend.servers.map((s) => s.weight);
    this.#servers = backend.servers.map((s, i) => new LbServer(s, i, s.weight));
  }

  /** `fas_get_next_server()`; the state is read afresh each time, there is no rotation to keep. */
  select(view: SelectionView, avoid?: number): number | undefined {
    for (const srv of stageView(this.#servers, view, this.#configuredWeights, (w) => w)) srv.commit();
    const groups = recountServers(this.#servers, this.#allBackups);
    let backup: boolean;
    if (groups.activeCount) backup = false;
    else if (groups.firstBackup) return groups.firstBackup.index;
    else if (groups.backupCount) backup = true;
    else return undefined;

    let avoided: number | undefined;
    for (const s of this.#servers) {
      if (s.backup !== backup || !s.currentlyUsable() || s.saturated()) continue;
      if (s.index !== avoid) return s.index;
      avoided = s.index;
    }
    return avoided;
  }
}
