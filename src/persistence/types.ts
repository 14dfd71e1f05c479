/**
 * Shapes shared by the persistence functions. Everything here is plain data so
 * the same decisions serve the Fetch path and a Node fast path alike.
 */

/** Header lines in wire order, duplicates kept, names in any case. */
export type HeaderLines = readonly (readonly [string, string])[];

/**
 * What the client's persistence cookie said, named after HAProxy's `TX_CK_*`
 * states (the third character of the termination state in HAProxy's logs:
 * N, I, D, V, E, O).
 */
export type CookieStatus =
  /** No cookie with our name (`TX_CK_NONE`). */
  | 'none'
  /** A cookie that names no server, or an empty one (`TX_CK_INVALID`). */
  | 'invalid'
  /** It names a server the caller said is not usable (`TX_CK_DOWN`). */
  | 'down'
  /** It names a usable server (`TX_CK_VALID`). */
  | 'valid'
  /** Its last-seen date is older than `maxidle`, or too far in the future (`TX_CK_EXPIRED`). */
  | 'expired'
  /** Its first-seen date is older than `maxlife`, or too far in the future (`TX_CK_OLD`). */
  | 'old';

/**
 * Dates carried by an insert/rewrite cookie (`NAME=SRV|LAST|FIRST`), seconds
 * since the epoch with HAProxy's 4-second resolution; 0 means "absent", as in
 * HAProxy's `txn->cookie_last_date` / `cookie_first_date`.
 */
export interface CookieDates {
  readonly lastSeen: number;
  readonly firstSeen: number;
}

/** Result of reading the request's persistence cookie. */
export interface PersistenceRequest {
  /**
   * Index (into the backend's servers) of the first server whose `cookie VALUE`
   * equals the cookie's server part and that `isUsable` accepted. Undefined for
   * no cookie, an unknown value, an expired cookie, or no usable server.
   */
  readonly serverIndex: number | undefined;
  readonly status: CookieStatus;
  /**
   * The request headers as the server must see them (the input array itself
   * when nothing changed).
   */
  readonly headers: HeaderLines;
  /** Dates found in the cookie; zero when absent, invalid or expired. */
  readonly dates: CookieDates;
}
