/**
 * Runs a Config on Node: one HTTP listener per `bind`, health checks, the
 * `maxconn` limits, a configuration reload that keeps connections, and a
 * graceful stop (stop accepting, let in-flight requests finish, then close).
 */
import { createBalancer, type BalancerApp } from '../../src/app.ts';
import type { BalancerState } from '../../src/balancer/balancer-state.ts';
import type { Config } from '../../src/config/types.ts';
import { startHealthChecks, type HealthChecks } from '../../src/health/scheduler.ts';
import type { ListenerAddress, RunningBalancer as RunningBalancerBase } from '../command/running-balancer.ts';
import { ConnectionGate } from './connection-gate.ts';
import type { Listener } from './listener.ts';
import { handlersFor } from './handlers.ts';
import { openNewListeners, type OpenListener } from './open-listeners.ts';
import { bindsOf, loadTlsBindings } from './tls-bindings.ts';
import type { TlsBinding } from './tls-front.ts';
import { createConsoleLogger, createNodeDeps, type LogFormat, type NodeDeps } from './node-deps.ts';

export type { ListenerAddress };

export interface RunningBalancer extends RunningBalancerBase {
  readonly deps: NodeDeps;
  /** The live state of the configuration in force (changes at each reload). */
  readonly state: BalancerState;
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
  /** Run the health checks here (default). A cluster worker leaves them to the primary, which pushes the states. */
  readonly checks?: boolean;
  /** Serve ordinary proxied requests on raw sockets (./raw-front.ts; default); false: node:http serves all (tests compare the two). */
  readonly rawFront?: boolean;
}

export async function startBalancer(config: Config, options: StartOptions = {}): Promise<RunningBalancer> {
  const deps = options.deps ?? createNodeDeps(createConsoleLogger(options.logFormat ?? 'httplog'));
  let app = createBalancer(config, deps);
  const runChecks = (next: BalancerApp): HealthChecks => (options.checks === false ? { stop() {} } : startHealthChecks(next.state, deps));
  let checks = runChecks(app);
  const open = new Map<string, OpenListener>();
  const gate = new ConnectionGate(config, deps.logger);
  const rawFront = options.rawFront !== false;

  try {
    const tls = loadTlsBindings(config, deps.fleet?.tlsTicketSecret);
    switchTo(config, app, tls, await openNewListeners(config, app, deps, open, gate, tls, rawFront));
  } catch (error) {
    checks.stop();
    await deps.upstream.close();
    throw error;
  }

  /**
   * Gives the listeners `next` keeps their new handler, adds the newly opened
   * ones, and returns those `next` no longer binds (removed from `open`).
   * Called only once every new address is bound, so it cannot fail halfway.
   */
  function switchTo(next: Config, nextApp: BalancerApp, tls: ReadonlyMap<string, TlsBinding>, opened: ReadonlyMap<string, OpenListener>): Listener[] {
    const used = new Set<string>();
    for (const { key, frontend, bind } of bindsOf(next)) {
      used.add(key);
      const fresh = opened.get(key);
      if (fresh) {
        open.set(key, fresh);
        continue;
      }
      const existing = open.get(key)!;
      existing.listener.update(handlersFor(nextApp, frontend, bind, deps, rawFront), frontend.timeouts, frontend.name, tls.get(key));
      open.set(key, { ...existing, address: { ...existing.address, frontend: frontend.name } });
    }
    const dropped: Listener[] = [];
    for (const [key, { listener }] of open) {
      if (used.has(key)) continue;
      open.delete(key);
      dropped.push(listener);
    }
    return dropped;
  }

  return {
    get listeners() {
      return [...open.values()].map(({ address }) => address);
    },
    deps,
    get state() {
      return app.state;
    },
    async reload(next, graceMs = 10_000) {
      // A certificate that cannot be loaded or a bind that fails (address in
      // use) refuses the whole reload before anything changed: the running
      // rules, listeners, certificates and checks stay.
      const tls = loadTlsBindings(next, deps.fleet?.tlsTicketSecret);
      const nextApp = createBalancer(next, deps);
      const opened = await openNewListeners(next, nextApp, deps, open, gate, tls, rawFront);
      const dropped = switchTo(next, nextApp, tls, opened);
      gate.reconfigure(next);
      checks.stop();
      checks = runChecks(nextApp);
      app = nextApp;
      for (const listener of dropped) void listener.close(graceMs);
    },
    async close(graceMs = 10_000) {
      checks.stop();
      await Promise.all([...open.values()].map(({ listener }) => listener.close(graceMs)));
      await deps.upstream.close();
    },
  };
}
