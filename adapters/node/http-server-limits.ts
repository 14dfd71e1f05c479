/** node:http's own limits, set from a frontend's timeouts (at start and at each reload). */
import type { Server } from 'node:http';
import type { Timeouts } from '../../src/config/types.ts';
import { keepAliveLimit } from '../../src/http1/client-limits.ts';

export function applyHttpServerLimits(server: Server, timeouts: Timeouts): void {
  // Node's coarse (30 s sweep) backstop against request heads that trickle in forever.
  server.headersTimeout = timeouts.httpRequest ?? 60_000;
  // Idle kept-alive connections are closed by client-timeout.ts on time;
  // Node's own timer (a second later than it says) is the backstop and its
  // `Keep-Alive: timeout=N` hint tells clients. With no timeout set HAProxy
  // waits forever; Node's 5 s default is kept instead.
  server.keepAliveTimeout = keepAliveLimit(timeouts) ?? 5_000;
}

