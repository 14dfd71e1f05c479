/**
 * Runs a Config on Node: one HTTP listener per `bind`, health checks, a reload
 * that keeps connections, a graceful stop (in-flight requests finish).
 */
import { createBalancer, type BalancerApp } from '../../src/app.ts';
import type { Bind, Config, Frontend } from '../../src/config/types.ts';
import { startHealthChecks, type HealthChecks } from '../../src/health/scheduler.ts';
import { handlersFor } from './handlers.ts';
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
  const app = createBalancer(config, deps);
  let checks: HealthChecks = startHealthChecks(app.state, deps);
  const open = new Map<string, OpenListener>();

  try {
    switchTo(config, app, await openNewListeners(config, app, deps, open));
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
  function switchTo(next: Config, nextApp: BalancerApp, opened: ReadonlyMap<string, OpenListener>): Listener[] {
    const used = new Set<string>();
    for (const { key, frontend, bind } of bindsOf(next)) {
      used.add(key);
      const fresh = opened.get(key);
      if (fresh) {
        open.set(key, fresh);
        continue;
      }
      const existing = open.get(key)!;
      existing.listener.update(handlersFor(nextApp, frontend, bind, deps), frontend.timeouts);
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
    async reload(next, graceMs = 10_000) {
      const nextApp = createBalancer(next, deps);
      // A bind that fails (address in use) refuses the whole reload before
      // anything changed: the running rules, listeners and checks stay.
      const opened = await openNewListeners(next, nextApp, deps, open);
      const dropped = switchTo(next, nextApp, opened);
      checks.stop();
      checks = startHealthChecks(nextApp.state, deps);
      for (const listener of dropped) void listener.close(graceMs);
    },
    async close(graceMs = 10_000) {
      checks.stop();
      await Promise.all([...open.values()].map(({ listener }) => listener.close(graceMs)));
      await deps.upstream.close();
    },
  };
}

interface OpenListener {
  readonly listener: Listener;
  readonly address: ListenerAddress;
}

/** Every `bind` of the configuration with the key that identifies its socket. */
function bindsOf(config: Config): { key: string; frontend: Frontend; bind: Bind }[] {
  return config.frontends.flatMap((frontend) =>
    frontend.binds.map((bind) => ({ key: `${bind.host}|${bind.port}`, frontend, bind })),
  );
}

/**
 * Opens a listener for each bind of `config` not already in `open`. Either all
 * of them listen or, at the first failure (an address in use), every one
 * created here is closed and the error is thrown.
 */
async function openNewListeners(
  config: Config,
  app: BalancerApp,
  deps: NodeDeps,
  open: ReadonlyMap<string, OpenListener>,
): Promise<Map<string, OpenListener>> {
  const opened = new Map<string, OpenListener>();
  const created: Listener[] = [];
  try {
    for (const { key, frontend, bind } of bindsOf(config)) {
      if (open.has(key) || opened.has(key)) continue;
      const listener = new Listener(handlersFor(app, frontend, bind, deps), frontend.timeouts);
      created.push(listener);
      const host = bind.host || '0.0.0.0';
      const port = await listener.listen(host, bind.port);
      opened.set(key, { listener, address: { frontend: frontend.name, host, port } });
    }
  } catch (error) {
    await Promise.all(created.map((listener) => listener.close(0)));
    throw error;
  }
  return opened;
}
