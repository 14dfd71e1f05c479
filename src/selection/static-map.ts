/**
 * `balance static-rr`: a port of HAProxy 2.6's map-based round-robin
 * (src/lb_map.c). The servers' weights are laid out once into a table of
 * `tot_weight` slots (`recalc_server_map`), rebuilt only when a server goes
 * up or down, and a cursor walks it. Weights are static: HAProxy only lets
 * them be set to 0% or 100% at run time, so any non-zero weight counts as the
 * configured one here. No limit on the number of servers.
 */
import type { Backend } from '../config/types.ts';
import { LbServer } from './lb-server.ts';
import { backendTotalWeight, recountServers, type ServerGroups } from './server-groups.ts';
import type { SelectionView, ServerSelector } from './types.ts';
import { stageView } from './view-sync.ts';
import { cdiv, effectiveWeight } from './weights.ts';

export class StaticRoundRobinSelector implements ServerSelector {
  readonly servers: readonly LbServer[];
  readonly #allBackups: boolean;
  readonly #configuredWeights: readonly number[];
  /** `lbprm.wmult`: the GCD of the weights, so the map is as small as possible. */
  readonly #wmult: number;
  #groups: ServerGroups;
  #map: readonly (LbServer | undefined)[] = [];
  #totalWeight = 0;
  /** `lbprm.map.rr_idx`. */
  #rrIdx = 0;

  /** `init_server_map()`. */
  constructor(backend: Backend) {
    this.#allBackups = backend.allBackups;
    this.#configuredWeights = backend.servers.map((s) => s.weight);
    this.#wmult = weightsGcd(this.#configuredWeights);
    this.servers = backend.servers.map((s, i) => new LbServer(s, i, this.#toEweight(s.weight, i)));
    this.#groups = recountServers(this.servers, this.#allBackups);
    this.#recalc();
  }

  select(view: SelectionView, avoid?: number): number | undefined {
    this.sync(view);
    return this.getServerRr(avoid === undefined ? undefined : this.servers[avoid])?.index;
  }

  /**
   * `map_set_server_status_up/down()`: any change recounts the servers and
   * rebuilds the map. The cursor is kept, as in HAProxy.
   */
  sync(view: SelectionView): void {
    const changed = stageView(this.servers, view, this.#configuredWeights, (w, i) => this.#toEweight(w, i));
    if (!changed.length) return;
    for (const srv of changed) srv.commit();
    this.#groups = recountServers(this.servers, this.#allBackups);
    this.#recalc();
  }

  /** The current map, for tests: one entry per weight slot. */
  get map(): readonly (LbServer | undefined)[] {
    return this.#map.slice(0, this.#totalWeight);
  }

  /**
   * `map_get_server_rr()`: the next slot whose server has a free connection
   * slot and is not the avoided one; the avoided one if it is all there is.
   */
  getServerRr(srvToAvoid?: LbServer): LbServer | undefined {
    const tot = this.#totalWeight;
    if (tot === 0) return undefined;
    if (this.#rrIdx < 0 || this.#rrIdx >= tot) this.#rrIdx = 0;
    let newIdx = this.#rrIdx;
    let avoided: LbServer | undefined;
    let avoidIdx = 0;
    do {
      const srv = this.#map[newIdx++]!;
      if (!srv.saturated()) {
        avoided = srv;
        avoidIdx = newIdx;
        if (srv !== srvToAvoid) {
          this.#rrIdx = newIdx;
          return srv;
        }
      }
      if (newIdx === tot) newIdx = 0;
    } while (newIdx !== this.#rrIdx);
    if (avoided) this.#rrIdx = avoidIdx;
    return avoided;
  }

  /** Static weights: a user weight of 0 removes the server, any other means the configured one. */
  #toEweight(userWeight: number, index: number): number {
    if (userWeight <= 0) return 0;
    return effectiveWeight(this.#configuredWeights[index] || userWeight, 1, this.#wmult);
  }

  #recalc(): void {
    const groups = this.#groups;
    this.#totalWeight = backendTotalWeight(groups);
    const used = groups.activeCount || (groups.firstBackup ? 1 : groups.backupCount);
    // HAProxy leaves the old map in place when no server is left (tot_used 0).
    if (used === 0) return;
    this.#map = recalcServerMap(this.servers, this.#totalWeight, groups.activeCount === 0);
  }
}

/**
 * `recalc_server_map()`: fills `tot` slots from the usable servers of one
 * group (active, or backup when no active is usable). Each round adds every
 * server's weight to its score and takes the highest `(score + tot) / tot`,
 * earliest declared on ties — so the first declared server always comes
 * first, and weights interleave.
 *
 * Note: without `allbackups`, `tot` is the first backup's weight but all
 * usable backups compete for the slots, so a heavier second backup can get
 * some of them. HAProxy does the same.
 */
export function recalcServerMap(servers: readonly LbServer[], tot: number, backup: boolean): (LbServer | undefined)[] {
  const map: (LbServer | undefined)[] = [];
  const wscore = new Map<LbServer, number>();
  const candidates = servers.filter((s) => s.backup === backup && s.willbeUsable());
  for (const s of candidates) wscore.set(s, 0);
  for (let o = 0; o < tot; o++) {
    let max = 0;
    let best: LbServer | undefined;
    for (const cur of candidates) {
      // A single slot: the first server, avoiding a division artefact.
      if (tot === 1) {
        best = cur;
        break;
      }
      const score = wscore.get(cur)! + cur.nextEweight;
      wscore.set(cur, score);
      const v = cdiv(score + tot, tot);
      if (best === undefined || v > max) {
        max = v;
        best = cur;
      }
    }
    map[o] = best;
    if (best && tot !== 1) wscore.set(best, wscore.get(best)! - tot);
  }
  return map;
}

/** The GCD of the non-zero weights (Euclid), as `init_server_map()` computes `wmult`. */
export function weightsGcd(weights: readonly number[]): number {
  const first = weights.findIndex((w) => w > 0);
  if (first < 0) return 1;
  let pgcd = weights[first]!;
  for (let i = first + 1; i < weights.length && pgcd > 1; i++) {
    let w = weights[i]!;
    while (w) {
      const t = pgcd % w;
      pgcd = w;
      w = t;
    }
  }
  return pgcd;
}
