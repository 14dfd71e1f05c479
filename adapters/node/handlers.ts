/**
 * What a listener does with its connections under one configuration: the
 * fast path for proxied requests, the upgrade path for WebSocket and other
 * upgrades, and the Hono app for what both leave (stats pages).
 */
import type { IncomingMessage } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Admission } from '../../src/admission/admit-request.ts';
import type { BalancerApp } from '../../src/app.ts';
import type { Bind, Frontend } from '../../src/config/types.ts';
import { clientAddressOf, localEndOf } from './connection-facts.ts';
import { createFastPathListener, type StatsHandler } from './fast-path.ts';
import type { ListenerHandlers } from './listener.ts';
import type { NodeDeps } from './node-deps.ts';
import { createRawForward } from './raw-forward.ts';
import { createUpgradeListener } from './upgrade.ts';

/** `rawFront`: ordinary proxied requests are served on the raw front (./raw-front.ts); false: node:http serves all. */
export function handlersFor(app: BalancerApp, frontend: Frontend, bind: Bind, deps: NodeDeps, rawFront = true): ListenerHandlers {
  // The decision the fast path or the upgrade path took, for the Hono app to
  // act on instead of admitting the request a second time.
  const decided = new WeakMap<IncomingMessage, Admission>();
  const honoListener = getRequestListener(
    (request, env) => {
      const incoming = (env as { incoming: IncomingMessage }).incoming;
      return app.fetch(request, {
        frontend: frontend.name,
        clientAddress: clientAddressOf(incoming.socket),
        clientPort: incoming.socket.remotePort,
        ...localEndOf(incoming.socket),
        httpVersion: incoming.httpVersion,
        rawHeaders: incoming.rawHeaders,
        rawTarget: incoming.url,
        admission: decided.get(incoming),
      });
    },
    { hostname: bind.host || 'localhost' },
  );
  const serveStats: StatsHandler = (request, response, admission) => {
    decided.set(request, admission);
    return honoListener(request, response);
  };
  const entry = app.state.frontends.get(frontend.name)!;
  return {
    request: createFastPathListener(app, entry, deps.upstream.native, deps, serveStats),
    upgrade: createUpgradeListener(app, entry, deps, serveStats),
    raw: rawFront ? createRawForward(app, entry, deps.upstream.native, deps) : undefined,
  };
}
