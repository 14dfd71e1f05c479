/**
 * `balance random`: HAProxy 2.6's `get_server_rnd()` (backend.c). It draws
 * `draws` servers (2 by default: "power of two choices") at random in
 * proportion to their weights, keeps the one with the fewest connections
 * relative to its weight, and gives up (the request would be queued) if that
 * one is at its `maxconn`.
 *
 * HAProxy draws on its consistent-hash ring, where a server owns a share of
 * points proportional to its weight; a cumulative-weight draw gives the same
 * distribution. As on the ring, the avoided server is skipped when another
 * one can be drawn.
 */
import type { Backend } from '../config/types.ts';
import { LbServer } from './lb-server.ts';
import { recountServers } from './server-groups.ts';
import type { SelectionView, ServerSelector } from './types.ts';
import { stageView } from './view-sync.ts';
import { BE_WEIGHT_SCALE, effectiveWeight } from './weights.ts';

/** HAProxy's default for `balance random` (cfgparse: `arg_opt1 = 2`). */
export const DEFAULT_RANDOM_DRAWS = 2;

export class RandomSelector implements ServerSelector {
  readonly #servers: readonly LbServer[];
  readonly #allBackups: boolean;
  readonly #configuredWeights: readonly number[];
  readonly #random: () => number;
  readonly #draws: number;

  /** `random` returns a number in [0, 1), like Math.random. */
  constructor(backend: Backend, random: () => number = Math.random, draws = DEFAULT_RANDOM_DRAWS) {
    this.#allBackups = backend.allBackups;
    this.#configuredWeights = backend.servers.map((s) => s.weight);
    this.#servers = backend.servers.map((s, i) => new LbServer(s, i, toEweight(s.weight)));
    this.#random = random;
    this.#draws = Math.max(1, draws);
  }

  select(view: SelectionView, avoid?: number): number | undefined {
    for (const srv of stageView(this.#servers, view, this.#configuredWeights, toEweight)) srv.commit();
    const groups = recountServers(this.#servers, this.#allBackups);
    let candidates: LbServer[];
    // chash_get_server_hash(): actives, else the first backup, else all backups.
    if (groups.activeCount) candidates = this.#servers.filter((s) => !s.backup && s.currentlyUsable());
    else if (groups.firstBackup) candidates = [groups.firstBackup];
    else candidates = this.#servers.filter((s) => s.backup && s.currentlyUsable());
    if (!candidates.length) return undefined;
    if (avoid !== undefined && candidates.length > 1) candidates = candidates.filter((s) => s.index !== avoid);

    let curr: LbServer | undefined;
    for (let draw = 0; draw < this.#draws; draw++) {
      const prev = curr;
      curr = this.#drawWeighted(candidates);
      // Keep the previous choice when it is less loaded relative to its weight.
      if (prev && prev !== curr && curr.served * prev.curEweight > prev.served * curr.curEweight) curr = prev;
    }
    if (!curr || curr.saturated()) return undefined;
    return curr.index;
  }

  #drawWeighted(candidates: readonly LbServer[]): LbServer {
    const total = candidates.reduce((sum, s) => sum + s.curEweight, 0);
    let point = Math.floor(this.#random() * total);
    for (const s of candidates) {
      if (point < s.curEweight) return s;
      point -= s.curEweight;
    }
    return candidates[candidates.length - 1]!;
  }
}

function toEweight(userWeight: number): number {
  return effectiveWeight(userWeight, BE_WEIGHT_SCALE, 1);
}
