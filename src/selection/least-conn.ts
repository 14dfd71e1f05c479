/**
 * `balance leastconn`: a port of HAProxy 2.6's "fast weighted least
 * connections" (src/lb_fwlc.c). Each group's servers sit in a tree keyed by
 * `(inflight + 1) * SRV_EWGHT_MAX / eweight` — 0 when idle — and the first
 * one with a free slot wins. A server whose key changes is re-inserted after
 * its equals, which is what makes servers with the same load take turns.
 *
 * HAProxy re-keys a server when it takes a connection and when one ends
 * (`server_take_conn` / `server_drop_conn`). We see connection counts only
 * through the view, so the selected server is re-keyed at once as if it had
 * taken its connection, and any server whose count in the next view differs
 * from what we assumed is re-keyed then — the same moves HAProxy makes, a
 * little later.
 */
import type { Backend } from '../config/types.ts';
import { DupOrderedTree, unlinkNode, type TreeNode } from './dup-ordered-tree.ts';
import { LbServer } from './lb-server.ts';
import { recountServers, type ServerGroups } from './server-groups.ts';
import type { SelectionView, ServerSelector } from './types.ts';
import { stageView } from './view-sync.ts';
import { BE_WEIGHT_SCALE, cdiv, effectiveWeight, SRV_EWGHT_MAX } from './weights.ts';

type FwlcTree = DupOrderedTree<FwlcServer>;

export class FwlcServer extends LbServer implements TreeNode {
  lbTree: FwlcTree | null = null;
  key = 0;
  linkedIn: DupOrderedTree<TreeNode> | null = null;
}

export class LeastConnSelector implements ServerSelector {
  readonly servers: readonly FwlcServer[];
  readonly act: FwlcTree = new DupOrderedTree();
  readonly bck: FwlcTree = new DupOrderedTree();
  readonly #allBackups: boolean;
  readonly #configuredWeights: readonly number[];
  #groups: ServerGroups;

  /** `fwlc_init_server_tree()`. */
  constructor(backend: Backend) {
    this.#allBackups = backend.allBackups;
    this.#configuredWeights = backend.servers.map((s) => s.weight);
    this.servers = backend.servers.map((s, i) => new FwlcServer(s, i, toEweight(s.weight)));
    this.#groups = recountServers(this.servers, this.#allBackups);
    for (const srv of this.servers) {
      if (!srv.currentlyUsable()) continue;
      srv.lbTree = srv.backup ? this.bck : this.act;
      queueSrv(srv, srv.nextEweight);
    }
  }

  select(view: SelectionView, avoid?: number): number | undefined {
    this.sync(view);
    const srv = this.getNextServer(avoid === undefined ? undefined : this.servers[avoid]);
    if (!srv) return undefined;
    // server_take_conn(): the connection about to be made counts now.
    srv.served++;
    this.reposition(srv);
    return srv.index;
  }

  sync(view: SelectionView): void {
    const assumed = this.servers.map((s) => s.served);
    const changed = stageView(this.servers, view, this.#configuredWeights, toEweight);
    for (const srv of changed) this.updateServerWeight(srv);
    if (changed.length) this.#groups = recountServers(this.servers, this.#allBackups);
    for (const srv of this.servers) if (srv.served !== assumed[srv.index]) this.reposition(srv);
  }

  /** `fwlc_srv_reposition()`: re-keys a server whose load changed; a no-op when the key is the same. */
  reposition(srv: FwlcServer): void {
    const eweight = srv.curEweight;
    const newKey = keyFor(srv.served, eweight || 1);
    if (srv.linkedIn && eweight && srv.key === newKey) return;
    if (!srv.lbTree) return;
    if (!srv.linkedIn || srv.key !== newKey) {
      unlinkNode(srv);
      srv.lbTree.insert(srv, newKey);
    }
  }

  /** `fwlc_set_server_status_down()`. */
  setServerStatusDown(srv: FwlcServer): void {
    if (!srv.statusChanged()) return;
    if (!srv.willbeUsable() && srv.currentlyUsable()) {
      unlinkNode(srv);
      srv.lbTree = null;
    }
    srv.commit();
  }

  /** `fwlc_set_server_status_up()`: queued after the servers with the same load. */
  setServerStatusUp(srv: FwlcServer): void {
    if (!srv.statusChanged()) return;
    if (srv.willbeUsable() && !srv.currentlyUsable()) {
      srv.lbTree = srv.backup ? this.bck : this.act;
      queueSrv(srv, srv.nextEweight);
    }
    srv.commit();
  }

  /** `fwlc_update_server_weight()`. */
  updateServerWeight(srv: FwlcServer): void {
    if (!srv.statusChanged()) return;
    const oldState = srv.currentlyUsable();
    const newState = srv.willbeUsable();
    if (!oldState && !newState) return srv.commit();
    if (!oldState && newState) return this.setServerStatusUp(srv);
    if (oldState && !newState) return this.setServerStatusDown(srv);
    if (srv.lbTree) unlinkNode(srv);
    srv.lbTree = srv.backup ? this.bck : this.act;
    queueSrv(srv, srv.nextEweight);
    srv.commit();
  }

  /**
   * `fwlc_get_next_server()`: the least loaded server with a free slot,
   * skipping the avoided one unless it is the only candidate.
   */
  getNextServer(srvToAvoid?: FwlcServer): FwlcServer | undefined {
    let tree: FwlcTree;
    if (this.#groups.activeCount) tree = this.act;
    else if (this.#groups.firstBackup) return this.#groups.firstBackup as FwlcServer;
    else if (this.#groups.backupCount) tree = this.bck;
    else return undefined;

    let avoided: FwlcServer | undefined;
    for (const s of tree.values()) {
      if (s.saturated()) continue;
      if (s !== srvToAvoid) return s;
      avoided = s;
    }
    return avoided;
  }
}

function toEweight(userWeight: number): number {
  return effectiveWeight(userWeight, BE_WEIGHT_SCALE, 1);
}

/**
 * The tree key: `(inflight + 1) / eweight` scaled to integers; +1 so that the
 * heavier of two equally loaded servers comes first, and 0 for idle servers
 * so that under low load they take turns whatever their weights.
 */
function keyFor(inflight: number, eweight: number): number {
  return inflight ? cdiv((inflight + 1) * SRV_EWGHT_MAX, eweight) : 0;
}

/** `fwlc_queue_srv()`. */
function queueSrv(srv: FwlcServer, eweight: number): void {
  srv.lbTree!.insert(srv, keyFor(srv.served, eweight));
}
