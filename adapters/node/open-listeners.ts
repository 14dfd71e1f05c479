/**
 * The listeners of a configuration: which socket each `bind` is, opening the
 * new ones all-or-nothing, each with the handlers of its frontend.
 */
import type { BalancerApp } from '../../src/app.ts';
import type { Bind, Config, Frontend } from '../../src/config/types.ts';
import type { ListenerAddress } from '../command/running-balancer.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { handlersFor } from './handlers.ts';
import { Listener } from './listener.ts';
import type { NodeDeps } from './node-deps.ts';

export interface OpenListener {
  readonly listener: Listener;
  readonly address: ListenerAddress;
}

/** Every `bind` of the configuration with the key that identifies its socket. */
export function bindsOf(config: Config): { key: string; frontend: Frontend; bind: Bind }[] {
  return config.frontends.flatMap((frontend) =>
    frontend.binds.map((bind) => ({ key: `${bind.host}|${bind.port}`, frontend, bind })),
  );
}

/**
 * Opens a listener for each bind of `config` not already in `open`. Either all
 * of them listen or, at the first failure (an address in use), every one
 * created here is closed and the error is thrown.
 */
export async function openNewListeners(
  config: Config,
  app: BalancerApp,
  deps: NodeDeps,
  open: ReadonlyMap<string, OpenListener>,
  gate: ConnectionGate,
): Promise<Map<string, OpenListener>> {
  const opened = new Map<string, OpenListener>();
  const created: Listener[] = [];
  try {
    for (const { key, frontend, bind } of bindsOf(config)) {
      if (open.has(key) || opened.has(key)) continue;
      const listener = new Listener(handlersFor(app, frontend, bind, deps), frontend.timeouts, frontend.name, gate);
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
