/** Health-check data shared by the probe, the transition function, the store and stats. */

/** HAProxy's check_status codes (what the stats page shows). */
export type CheckStatus =
  | 'INI' // not checked yet
  | 'L4OK' // TCP connect succeeded
  | 'L4TOUT' // TCP connect timed out
  | 'L4CON' // TCP connect failed (refused, reset, unreachable)
  | 'L6OK' // TLS handshake completed (`check-ssl`, `ssl`)
  | 'L6TOUT' // TLS handshake timed out
  | 'L6RSP' // TLS handshake failed ("SSL handshake failure")
  | 'L7OK' // HTTP check passed
  | 'L7OKC' // HTTP check conditionally passed (`disable-on-404`: the server stops taking new clients)
  | 'L7STS' // HTTP check got a status that does not pass
  | 'L7TOUT' // HTTP check: no response within `timeout check`
  | 'L7RSP'; // HTTP check: invalid response

/** The outcome of one probe. */
export interface CheckResult {
  readonly ok: boolean;
  readonly status: CheckStatus;
  /** HTTP status of a layer-7 check. */
  readonly code?: number;
  /** Human-readable detail, e.g. "Connection refused". */
  readonly info?: string;
  readonly durationMs: number;
}

/**
 * Health of one server, HAProxy's way: `health` counts from 0 to rise+fall-1,
 * the server is UP while health ≥ rise (with hysteresis: `up` flips only when
 * the counter crosses the bound in the matching direction).
 */
export interface HealthState {
  readonly health: number;
  readonly up: boolean;
  /**
   * HAProxy's "stopping" state (stats `NOLB`), from `http-check disable-on-404`:
   * UP for the clients it has (sticky ones included), no new ones.
   */
  readonly stopping?: boolean;
  readonly lastCheck?: CheckResult;
  /** ms since epoch of the last UP/DOWN change (or start-up). */
  readonly lastChange: number;
  /** ms spent DOWN before the current period. */
  readonly downtime: number;
  /** failed checks in total. */
  readonly chkfail: number;
  /** UP→DOWN transitions in total. */
  readonly chkdown: number;
}

/**
 * Where health state lives: in memory on Node and Deno, in a Durable Object on
 * Workers. Reads are synchronous because they sit on the request path; a store
 * backed by something remote keeps a local view and refreshes it itself.
 * Keys are "backend/server".
 */
export interface HealthStore {
  get(key: string): HealthState | undefined;
  set(key: string, state: HealthState): void;
  /**
   * Changes whenever any state changes, so readers can keep what they derived
   * from the states until then (the balancing view). A store that cannot tell
   * leaves it undefined and readers derive afresh on every request.
   */
  readonly version?: number;
}
