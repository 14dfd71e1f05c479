/**
 * Runs a Config on Node: one HTTP listener per `bind`, health checks, a
 * configuration reload that keeps connections, and a graceful stop (stop
 * accepting, let in-flight requests finish, then close).
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createBalancer, type BalancerApp } from '../../src/app.ts';
import type { Bind, Config, Frontend } from '../../src/config/types.ts';
import { startHealthChecks, type HealthChecks } from '../../src/health/scheduler.ts';
import { clientAddressOf, createFastPathListener } from './fast-path.ts';
import type { ListenerAddress, RunningBalancer as RunningBalancerBase } from '../command/running-balancer.ts';
import { Listener } from './listener.ts';
import { createConsoleLogger, createNodeDeps, type LogFormat, type NodeDeps } from './node-deps.ts';

export type { ListenerAddress };

export interface RunningBalancer extends RunningBalancerBase {
  readonly deps: NodeDeps;
  /**
   * Switches to `config`: listeners on the same address keep their open
   * connections and take the new rules for the next requests, new addresses
   * are opened, dropped ones closed gracefully; health states carry over for
   * servers of the same backend/name; counters start again.
   */
  reload(config: Config, graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly logFormat?: LogFormat;
  readonly deps?: NodeDeps;
}

export async function startBalancer(config: Config, options: StartOptions = {}): Promise<RunningBalancer> {
  const deps = options.deps ?? createNodeDeps(createConsoleLogger(options.logFormat ?? 'httplog'));
  let app = createBalancer(config, deps);
  let checks: HealthChecks = startHealthChecks(app.state, deps);
  const open = new Map<string, { listener: Listener; address: ListenerAddress }>();

  /** Opens or updates a listener for every bind of `config`; returns the keys in use. */
  async function bindAll(next: Config): Promise<Set<string>> {
    const used = new Set<string>();
    for (const frontend of next.frontends) {
      for (const bind of frontend.binds) {
        const key = `${bind.host}|${bind.port}`;
        used.add(key);
        const handler = requestHandler(app, frontend, bind, deps);
        const existing = open.get(key);
        if (existing) {
          existing.listener.update(handler, frontend.timeouts);
          open.set(key, { ...existing, address: { ...existing.address, frontend: frontend.name } });
          continue;
        }
        const listener = new Listener(handler, frontend.timeouts);
        const host = bind.host || '0.0.0.0';
        const port = await listener.listen(host, bind.port);
        open.set(key, { listener, address: { frontend: frontend.name, host, port } });
      }
    }
    return used;
  }

  try {
    await bindAll(config);
  } catch (error) {
    checks.stop();
    await Promise.all([...open.values()].map(({ listener }) => listener.close(0)));
    await deps.upstream.close();
    throw error;
  }

  return {
    get listeners() {
      return [...open.values()].map(({ address }) => address);
    },
    deps,
    async reload(next, graceMs = 10_000) {
      const previousChecks = checks;
      app = createBalancer(next, deps);
      const used = await bindAll(next);
      previousChecks.stop();
      checks = startHealthChecks(app.state, deps);
      for (const [key, { listener }] of open) {
        if (used.has(key)) continue;
        open.delete(key);
        void listener.close(graceMs);
      }
    },
    async close(graceMs = 10_000) {
      checks.stop();
      await Promise.all([...open.values()].map(({ listener }) => listener.close(graceMs)));
      await deps.upstream.close();
    },
  };
}

/** The fast path for proxied requests, the Hono app for what it leaves (stats pages). */
function requestHandler(app: BalancerApp, frontend: Frontend, bind: Bind, deps: NodeDeps): RequestListener {
  const honoListener = getRequestListener(
    (request, env) => {
      const incoming = (env as { incoming: IncomingMessage }).incoming;
      return app.fetch(request, {
        frontend: frontend.name,
        clientAddress: clientAddressOf(incoming),
        clientPort: incoming.socket.remotePort,
        rawHeaders: incoming.rawHeaders,
        rawTarget: incoming.url,
      });
    },
    { hostname: bind.host || 'localhost' },
  );
  const entry = app.state.frontends.get(frontend.name)!;
  return createFastPathListener(app, entry, deps.upstream.native, deps, honoListener);
}
