/**
 * What a listener does with its connections under one configuration: the
 * fast path for proxied requests, the upgrade path for WebSocket and other
 * upgrades, and the Hono app for what both leave (stats pages).
 */
import type { IncomingMessage } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { BalancerApp } from '../../src/app.ts';
import type { Bind, Frontend } from '../../src/config/types.ts';
import { clientAddressOf, createFastPathListener } from './fast-path.ts';
import type { ListenerHandlers } from './listener.ts';
import type { NodeDeps } from './node-deps.ts';
import { createUpgradeListener } from './upgrade.ts';

export function handlersFor(app: BalancerApp, frontend: Frontend, bind: Bind, deps: NodeDeps): ListenerHandlers {
  const honoListener = getRequestListener(
    (request, env) => {
      const incoming = (env as { incoming: IncomingMessage }).incoming;
      return app.fetch(request, {
        frontend: frontend.name,
        clientAddress: clientAddressOf(incoming),
        clientPort: incoming.socket.remotePort,
        httpVersion: incoming.httpVersion,
        rawHeaders: incoming.rawHeaders,
        rawTarget: incoming.url,
      });
    },
    { hostname: bind.host || 'localhost' },
  );
  const entry = app.state.frontends.get(frontend.name)!;
  return {
    request: createFastPathListener(app, entry, deps.upstream.native, deps, honoListener),
    upgrade: createUpgradeListener(app, entry, deps, honoListener),
  };
}
