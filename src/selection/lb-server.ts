/**
 * One server as HAProxy's LB code sees it: a committed ("cur") and a pending
 * ("next") pair of state and effective weight. HAProxy changes `next_*`, calls
 * the algorithm's update hook, and the hook commits (`srv_lb_commit_status`);
 * the hooks compare the two to know what changed (backend.h).
 */
import type { Server } from '../config/types.ts';

export class LbServer {
  /** Declaration index in the backend (HAProxy's `puid` order and `srv->next` list). */
  readonly index: number;
  readonly backup: boolean;
  /** `maxconn` (0 or missing: unlimited). */
  readonly maxconn: number;

  /** Running and not in maintenance/drain: the state half of `srv_*_usable`. */
  curUp: boolean;
  nextUp: boolean;
  curEweight: number;
  nextEweight: number;
  /** Connections being served (`srv->served`), from the caller's view. */
  served = 0;

  constructor(server: Server, index: number, eweight: number) {
    this.index = index;
    this.backup = server.backup;
    this.maxconn = server.maxconn ?? 0;
    this.curUp = this.nextUp = !server.disabled;
    this.curEweight = this.nextEweight = eweight;
  }

  /** `srv_currently_usable()`. */
  currentlyUsable(): boolean {
    return this.curEweight > 0 && this.curUp;
  }

  /** `srv_willbe_usable()`. */
  willbeUsable(): boolean {
    return this.nextEweight > 0 && this.nextUp;
  }

  /** `srv_lb_status_changed()`. */
  statusChanged(): boolean {
    return this.curUp !== this.nextUp || this.curEweight !== this.nextEweight;
  }

  /** `srv_lb_commit_status()`. */
  commit(): void {
    this.curUp = this.nextUp;
    this.curEweight = this.nextEweight;
  }

  /**
   * Whether the server has no free slot: HAProxy's
   * `srv->maxconn && (srv->queue.length || srv->served >= srv_dynamic_maxconn(srv))`,
   * without queues or dynamic maxconn (no `minconn`/slow-start here).
   */
  saturated(): boolean {
    return this.maxconn > 0 && this.served >= this.maxconn;
  }
}
