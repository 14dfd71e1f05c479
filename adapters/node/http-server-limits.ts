/** node:http's own limits, set from a frontend's timeouts (at start and at each reload). */
import type { Server } from 'node:http';
import type { Timeouts } from '../../src/config/types.ts';
import type { ClientLimits } from './client-timeout.ts';

export function applyHttpServerLimits(server: Server, timeouts: Timeouts): void {
  // Node's coarse (30 s sweep) backstop against request heads that trickle in forever.
  server.headersTimeout = timeouts.httpRequest ?? 60_000;
  // Idle kept-alive connections are closed by client-timeout.ts on time;
  // Node's own timer (a second later than it says) is the backstop and its
  // `Keep-Alive: timeout=N` hint tells clients. With no timeout set HAProxy
  // waits forever; Node's 5 s default is kept instead.
  server.keepAliveTimeout = keepAliveLimit(timeouts) ?? 5_000;
}

/** How long a kept-alive connection waits for its next request: HAProxy's order of fallbacks. */
export function keepAliveLimit({ httpKeepAlive, httpRequest, client }: Timeouts): number | undefined {
  return httpKeepAlive ?? httpRequest ?? client;
}

/** The client side's limits, for the sweeps of client-timeout.ts and raw-front.ts. */
export function clientLimitsOf(timeouts: Timeouts): ClientLimits {
  return { client: timeouts.client, httpRequest: timeouts.httpRequest, keepAlive: keepAliveLimit(timeouts) };
}
