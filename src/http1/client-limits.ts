/**
 * The client side's time limits of an HTTP/1 connection, from a frontend's
 * timeouts, in HAProxy 2.6's order of fallbacks; the runtimes that read
 * connections themselves enforce them (Node's client-timeout.ts and raw
 * front, Deno's raw front).
 */
import type { Timeouts } from '../config/types.ts';

export interface ClientLimits {
  /** `timeout client`: no progress for that long closes the connection. */
  readonly client?: number;
  /** `timeout http-request`: a head not whole that long after it began gets HAProxy's 408 page. */
  readonly httpRequest?: number;
  /** How long a kept-alive connection waits for its next request. */
  readonly keepAlive?: number;
}

/** `timeout http-keep-alive`, else `http-request`, else `client`. */
export function keepAliveLimit({ httpKeepAlive, httpRequest, client }: Timeouts): number | undefined {
  return httpKeepAlive ?? httpRequest ?? client;
}

export function clientLimitsOf(timeouts: Timeouts): ClientLimits {
  return { client: timeouts.client, httpRequest: timeouts.httpRequest, keepAlive: keepAliveLimit(timeouts) };
}
