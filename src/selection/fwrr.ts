/**
 * `balance roundrobin`: a TypeScript port of HAProxy 2.6's "fast weighted
 * round-robin" (src/lb_fwrr.c, Willy Tarreau). Names follow the C code so the
 * two can be read side by side.
 *
 * How it works, in short: each group (active, backup) has a window of
 * `curr_weight` positions. A server of effective weight w is due every
 * `next_weight / w` positions (`npos`), with the remainder carried in
 * `rweight`. Servers due in the current window sit in the `curr` tree sorted
 * by position (ties broken by weight, heavier first); servers due later wait
 * in `next`; servers not placed yet wait in `init`, heaviest first. When the
 * window is exhausted the `init` and `next` trees swap. This interleaves
 * servers instead of serving blocks: weights 3/1/2 give s1 s3 s1 s2 s1 s3.
 */
import type { Backend } from '../config/types.ts';
import { DupOrderedTree, unlinkNode, type TreeNode } from './dup-ordered-tree.ts';
import { LbServer } from './lb-server.ts';
import { recountServers, type ServerGroups } from './server-groups.ts';
import type { SelectionView, ServerSelector } from './types.ts';
import { stageView } from './view-sync.ts';
import { BE_WEIGHT_SCALE, cdiv, effectiveWeight, SRV_EWGHT_MAX, SRV_UWGHT_RANGE } from './weights.ts';

type FwrrTree = DupOrderedTree<FwrrServer>;

/** A server with fwrr's per-server fields (`npos`, `lpos`, `rweight`, `lb_tree`, `lb_node`). */
export class FwrrServer extends LbServer implements TreeNode {
  /** Next position at which the server is due. */
  npos = 0;
  /** Last position at which it was served. */
  lpos = 0;
  /** Accumulated remainder of `next_weight / eweight`. */
  rweight = 0;
  /** The tree the server logically belongs to (`s->lb_tree`), null when out of the LB. */
  lbTree: FwrrTree | null = null;
  key = 0;
  linkedIn: DupOrderedTree<TreeNode> | null = null;
}

/** `struct fwrr_group`. */
export class FwrrGroup {
  readonly curr: FwrrTree = new DupOrderedTree();
  /** `init` and `next` point at t0/t1 and swap at the end of each window. */
  init: FwrrTree = new DupOrderedTree();
  next: FwrrTree = new DupOrderedTree();
  currPos = 0;
  currWeight = 0;
  nextWeight = 0;
}

export class RoundRobinSelector implements ServerSelector {
  readonly servers: readonly FwrrServer[];
  readonly act = new FwrrGroup();
  readonly bck = new FwrrGroup();
  readonly #allBackups: boolean;
  readonly #configuredWeights: readonly number[];
  #groups: ServerGroups;

  /** `fwrr_init_server_groups()`: servers start as configured (`disabled` ones out). */
  constructor(backend: Backend) {
    this.#allBackups = backend.allBackups;
    this.#configuredWeights = backend.servers.map((s) => s.weight);
    this.servers = backend.servers.map((s, i) => new FwrrServer(s, i, toEweight(s.weight)));
    this.#groups = recountServers(this.servers, this.#allBackups);
    for (const [grp, total] of [
      [this.act, this.#groups.activeWeight],
      [this.bck, this.#groups.backupWeight],
    ] as const) {
      grp.currPos = grp.currWeight = grp.nextWeight = total;
    }
    for (const srv of this.servers) {
      if (!srv.currentlyUsable()) continue;
      this.#queueByWeight(this.#groupOf(srv).init, srv);
    }
  }

  select(view: SelectionView, avoid?: number): number | undefined {
    this.sync(view);
    return this.getNextServer(avoid === undefined ? undefined : this.servers[avoid])?.index;
  }

  /** Applies state and weight changes as `srv_update_status()` would, one server at a time. */
  sync(view: SelectionView): void {
    const changed = stageView(this.servers, view, this.#configuredWeights, toEweight);
    for (const srv of changed) this.updateServerWeight(srv);
    if (changed.length) this.#groups = recountServers(this.servers, this.#allBackups);
  }

  /** `fwrr_set_server_status_down()`: takes the server out of its trees. */
  setServerStatusDown(srv: FwrrServer): void {
    if (!srv.statusChanged()) return;
    if (!srv.willbeUsable() && srv.currentlyUsable()) {
      const grp = this.#groupOf(srv);
      grp.nextWeight -= srv.curEweight;
      unlinkNode(srv);
      srv.lbTree = null;
    }
    srv.commit();
  }

  /**
   * `fwrr_set_server_status_up()`: a returning server is placed as if it had
   * just been served, so it does not get a burst of catch-up traffic.
   */
  setServerStatusUp(srv: FwrrServer): void {
    if (!srv.statusChanged()) return;
    if (srv.willbeUsable() && !srv.currentlyUsable()) {
      const grp = this.#groupOf(srv);
      grp.nextWeight += srv.nextEweight;
      this.#getSrv(srv);
      srv.npos = grp.currPos + cdiv(grp.nextWeight + grp.currWeight - grp.currPos, srv.nextEweight);
      this.#queueSrv(srv);
    }
    srv.commit();
  }

  /** `fwrr_update_server_weight()`: also dispatches state changes to the two above. */
  updateServerWeight(srv: FwrrServer): void {
    if (!srv.statusChanged()) return;
    const oldState = srv.currentlyUsable();
    const newState = srv.willbeUsable();
    if (!oldState && !newState) return srv.commit();
    if (!oldState && newState) return this.setServerStatusUp(srv);
    if (oldState && !newState) return this.setServerStatusDown(srv);

    const grp = this.#groupOf(srv);
    grp.nextWeight = grp.nextWeight - srv.curEweight + srv.nextEweight;

    if (srv.lbTree === grp.init) {
      unlinkNode(srv);
      this.#queueByWeight(grp.init, srv);
    } else if (!srv.lbTree) {
      // HAProxy: "server was down. This is not possible right now but may be
      // needed soon for slowstart or graceful shutdown."
      unlinkNode(srv);
      this.#getSrv(srv);
      srv.npos = grp.currPos + cdiv(grp.nextWeight + grp.currWeight - grp.currPos, srv.nextEweight);
      this.#queueSrv(srv);
    } else {
      // Still in the current or next tree: if it has places left in this
      // window, move its next position by the new step, never later than it was.
      this.#getSrv(srv);
      if (srv.nextEweight > 0) {
        const prevNext = srv.npos;
        const step = cdiv(grp.nextWeight, srv.nextEweight);
        srv.npos = srv.lpos + step;
        srv.rweight = 0;
        if (srv.npos > prevNext) srv.npos = prevNext;
        if (srv.npos < grp.currPos + 2) srv.npos = grp.currPos + step;
      } else {
        srv.npos = grp.currPos + grp.currWeight;
      }
      unlinkNode(srv);
      this.#queueSrv(srv);
    }
    srv.commit();
  }

  /**
   * `fwrr_get_next_server()`: the next due server of the group in use.
   * Saturated servers (at `maxconn`) and the avoided one are pulled out,
   * remembered and re-queued afterwards; the avoided one is returned only if
   * nothing else was found.
   */
  getNextServer(srvToAvoid?: FwrrServer): FwrrServer | undefined {
    let grp: FwrrGroup;
    if (this.#groups.activeCount) grp = this.act;
    else if (this.#groups.firstBackup) return this.#groups.firstBackup as FwrrServer;
    else if (this.#groups.backupCount) grp = this.bck;
    else return undefined;

    let switched = false;
    let avoided: FwrrServer | undefined;
    // HAProxy chains these through `next_full`, newest first.
    const full: FwrrServer[] = [];
    let srv: FwrrServer | undefined;
    let take = true;

    pick: while (true) {
      // An empty window: collect weights that may have changed meanwhile.
      if (!grp.currWeight) grp.currPos = grp.currWeight = grp.nextWeight;

      // First server of the current tree; at its end, switch trees, but only once.
      while (true) {
        srv = this.#getServerFromGroup(grp);
        if (srv) break;
        if (switched) {
          if (avoided) {
            srv = avoided;
          } else {
            take = false;
          }
          break pick;
        }
        switched = true;
        switchTrees(grp);
      }

      // Consume the server's place whether or not we keep it, so that a
      // skipped server is re-queued at a better place afterwards.
      updatePosition(grp, srv);
      unlinkNode(srv);
      grp.currPos++;
      if (!srv.saturated()) {
        if (srv !== srvToAvoid || avoided) break;
        avoided = srv;
      }
      full.unshift(srv);
    }

    if (take && srv) this.#queueSrv(srv);
    else srv = undefined;

    // Re-queue the servers pulled out: after a tree switch their place is
    // lost and only their weight matters, so they go back to "init".
    for (const f of full) {
      if (f === srv) continue;
      if (switched) this.#queueByWeight(grp.init, f);
      else this.#queueSrv(f);
    }
    return srv;
  }

  #groupOf(srv: FwrrServer): FwrrGroup {
    return srv.backup ? this.bck : this.act;
  }

  /** `fwrr_queue_by_weight()`: heaviest first, for a smooth distribution. */
  #queueByWeight(root: FwrrTree, srv: FwrrServer): void {
    root.insert(srv, SRV_EWGHT_MAX - srv.nextEweight);
    srv.lbTree = root;
  }

  /**
   * `fwrr_queue_srv()`: into the current tree when due within this window,
   * otherwise into the next one (with its position rebased on that window).
   */
  #queueSrv(srv: FwrrServer): void {
    const grp = this.#groupOf(srv);
    if (!srv.willbeUsable()) {
      srv.lbTree = null; // fwrr_remove_from_tree(): not unlinked, as in HAProxy
    } else if (
      srv.nextEweight <= 0 ||
      srv.npos >= 2 * grp.currWeight ||
      srv.npos >= grp.currWeight + grp.nextWeight
    ) {
      srv.npos -= grp.currWeight;
      this.#queueByWeight(grp.next, srv);
    } else {
      // Key in units of npos * user weight: position first, then the heavier
      // server (and the one with more remainder) first among equal positions.
      const tieBreak = cdiv((SRV_EWGHT_MAX + srv.rweight - srv.nextEweight) >>> 0, BE_WEIGHT_SCALE);
      grp.curr.insert(srv, SRV_UWGHT_RANGE * srv.npos + tieBreak);
      srv.lbTree = grp.curr;
    }
  }

  /** `fwrr_get_srv()`: prepares a server being taken out of the tree it was in. */
  #getSrv(srv: FwrrServer): void {
    const grp = this.#groupOf(srv);
    if (srv.lbTree === grp.init) {
      srv.npos = srv.rweight = 0; // fwrr_get_srv_init
    } else if (srv.lbTree === grp.next) {
      srv.npos += grp.currWeight; // fwrr_get_srv_next
    } else if (srv.lbTree === null) {
      srv.npos = grp.currPos; // fwrr_get_srv_down
    }
  }

  /**
   * `fwrr_get_server_from_group()`: the first server of the current tree if it
   * is due, else one from "init" (not placed yet), else the current tree's
   * first anyway (a hole in the positions).
   */
  #getServerFromGroup(grp: FwrrGroup): FwrrServer | undefined {
    const s1 = grp.curr.first();
    if (s1 && s1.curEweight && s1.npos <= grp.currPos) return s1;
    const s2 = grp.init.first();
    if (s2 && s2.curEweight) {
      s2.npos = s2.rweight = 0;
      return s2;
    }
    return s1;
  }
}

/** Round-robin's effective weight: user weight × BE_WEIGHT_SCALE (wmult = 1). */
function toEweight(userWeight: number): number {
  return effectiveWeight(userWeight, BE_WEIGHT_SCALE, 1);
}

/** `fwrr_switch_trees()`: "next" becomes the placement queue of a new window. */
function switchTrees(grp: FwrrGroup): void {
  const swap = grp.init;
  grp.init = grp.next;
  grp.next = swap;
  grp.currWeight = grp.nextWeight;
  grp.currPos = grp.currWeight;
}

/** `fwrr_update_position()`: the server's next due position, one step of `next_weight / eweight` ahead. */
function updatePosition(grp: FwrrGroup, srv: FwrrServer): void {
  const eweight = srv.curEweight;
  if (!eweight) return;
  if (!srv.npos) srv.npos = grp.currPos; // first time ever for this server
  srv.lpos = srv.npos;
  srv.npos += cdiv(grp.nextWeight, eweight);
  srv.rweight += grp.nextWeight % eweight;
  if (srv.rweight >= eweight) {
    srv.rweight -= eweight;
    srv.npos++;
  }
}
