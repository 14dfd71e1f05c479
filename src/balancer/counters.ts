/**
 * Traffic counters kept per frontend, backend and server, in the units of
 * HAProxy's stats (scur/smax/stot, bin/bout, hrsp_*, econ/eresp, wretr/wredis).
 * Mutable on purpose: they are bumped on the request path.
 */
export interface TrafficCounters {
  /** Requests in progress (scur) and its peak (smax). */
  current: number;
  max: number;
  /** Requests in total (stot). */
  total: number;
  /** Bytes received from clients (bin) and sent to them (bout). */
  bytesIn: number;
  bytesOut: number;
  /** Responses by status class: 1xx, 2xx, 3xx, 4xx, 5xx, other (hrsp_*). */
  readonly responses: [number, number, number, number, number, number];
  /** Failed connections to servers (econ), failed responses (eresp). */
  connectionErrors: number;
  responseErrors: number;
  /** Retries (wretr) and redispatches (wredis). */
  retries: number;
  redispatches: number;
  /**
   * Requests refused by a rule, `deny`, `tarpit` or `reject` (dreq), and
   * servers' responses replaced by `http-response deny` (dresp), as HAProxy
   * counts them; requests the frontend answered itself with a redirect,
   * `return`, `auth`, `monitor-uri`, its stats page or a service
   * (intercepted, frontends only).
   */
  deniedRequests: number;
  deniedResponses: number;
  intercepted: number;
  /** ms since epoch of the last request assigned (lastsess). */
  lastRequestAt: number;
  /**
   * `compression`, as HAProxy counts it on frontends and backends: body bytes
   * into the compressor (comp_in) and out of it (comp_out), bytes passed on by
   * `identity` (comp_byp), responses compressed, identity included (comp_rsp).
   */
  compressedIn: number;
  compressedOut: number;
  compressionBypassed: number;
  compressedResponses: number;
}

export function newCounters(): TrafficCounters {
  return {
    current: 0,
    max: 0,
    total: 0,
    bytesIn: 0,
    bytesOut: 0,
    responses: [0, 0, 0, 0, 0, 0],
    connectionErrors: 0,
    responseErrors: 0,
    retries: 0,
    redispatches: 0,
    deniedRequests: 0,
    deniedResponses: 0,
    intercepted: 0,
    lastRequestAt: 0,
    compressedIn: 0,
    compressedOut: 0,
    compressionBypassed: 0,
    compressedResponses: 0,
  };
}

export function countRequestStart(c: TrafficCounters, now: number): void {
  c.current++;
  c.total++;
  if (c.current > c.max) c.max = c.current;
  c.lastRequestAt = now;
}

export function countRequestEnd(c: TrafficCounters): void {
  c.current--;
}

export function countResponseStatus(c: TrafficCounters, status: number): void {
  const cls = Math.floor(status / 100);
  c.responses[cls >= 1 && cls <= 5 ? cls - 1 : 5]++;
}
