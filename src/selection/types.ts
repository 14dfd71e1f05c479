/**
 * The contract between the balancer and the load-balancing algorithms.
 *
 * HAProxy keeps one set of "lb trees" per backend and updates them whenever a
 * server's state or weight changes (`set_server_status_up/down`,
 * `update_server_eweight` in `struct lbprm`). Here the caller passes the
 * current view on every call and the selector notices the differences
 * itself, so nobody has to remember to notify it.
 */

/** What the selector needs to know about the servers right now, by declaration index. */
export interface SelectionView {
  /**
   * May take new clients: UP (or unchecked), not in maintenance, not draining.
   * HAProxy's `srv_willbe_usable()`, computed by src/balancer/availability.ts's `takesNewClients` (a weight of 0 is not usable).
   */
  readonly usable: readonly boolean[];
  /**
   * Current user weight (0–256; may change at run time from the admin page).
   * A weight of 0 makes the server unusable for balancing, as in HAProxy.
   * Missing entries fall back to the configured weight.
   */
  readonly weights: readonly number[];
  /** Connections currently served (HAProxy's `srv->served`); for leastconn, random and maxconn. */
  readonly activeConnections: readonly number[];
  /**
   * The caller vouches that nothing above changed since the previous call
   * (neither state, weight, nor — where the algorithm reads them —
   * connection counts), so the selector can skip looking at every server.
   */
  readonly unchanged?: boolean;
}

export interface ServerSelector {
  /**
   * The index of the server the next request should go to, or `undefined`
   * when none is usable (or all usable ones are at their `maxconn`: HAProxy
   * would queue the request, we have no queue).
   *
   * `avoid` is HAProxy's `srvtoavoid` on redispatch: that server is skipped
   * when another one can be used, and still returned when it is the only one.
   */
  select(view: SelectionView, avoid?: number): number | undefined;
}
