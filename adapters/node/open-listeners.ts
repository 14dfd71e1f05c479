/**
 * The listeners of a configuration: which socket each `bind` is, opening the
 * new ones all-or-nothing, each with the handlers of its frontend and, for a
 * `bind … ssl`, its certificates.
 */
import type { BalancerApp } from '../../src/app.ts';
import type { Config } from '../../src/config/types.ts';
import type { ListenerAddress } from '../command/running-balancer.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { handlersFor } from './handlers.ts';
import { Listener } from './listener.ts';
import type { TlsBinding } from './tls-front.ts';
import type { NodeDeps } from './node-deps.ts';
import { bindsOf } from './tls-bindings.ts';

export interface OpenListener {
  readonly listener: Listener;
  readonly address: ListenerAddress;
  /** Whether it accepts TLS (`bind … ssl`). */
  readonly tls: boolean;
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
  tls: ReadonlyMap<string, TlsBinding>,
  rawFront = true,
): Promise<Map<string, OpenListener>> {
  const opened = new Map<string, OpenListener>();
  const created: Listener[] = [];
  try {
    for (const { key, frontend, bind } of bindsOf(config)) {
      if (opened.has(key)) continue;
      const running = open.get(key);
      if (running) {
        // The accepting socket is a TLS or a plain server from the start.
        if (running.tls !== tls.has(key)) throw new Error(`bind ${key.replace('|', ':')}: switching between plain HTTP and 'ssl' on a listening address needs a restart`);
        continue;
      }
      const listener = new Listener(handlersFor(app, frontend, bind, deps, rawFront), frontend.timeouts, frontend.name, gate, deps.logger.warn, tls.get(key));
      created.push(listener);
      const host = bind.host || '0.0.0.0';
      const port = await listener.listen(host, bind.port).catch((error: NodeJS.ErrnoException) => {
        // haproxy: "Starting proxy www: cannot bind socket (Address already in use) [0.0.0.0:80]".
        throw Object.assign(new Error(`Starting proxy ${frontend.name}: cannot bind socket (${error.code ?? error.message}) [${host}:${bind.port}]`), { syscall: 'listen', code: error.code });
      });
      opened.set(key, { listener, address: { frontend: frontend.name, host, port }, tls: tls.has(key) });
    }
  } catch (error) {
    await Promise.all(created.map((listener) => listener.close(0)));
    throw error;
  }
  return opened;
}
