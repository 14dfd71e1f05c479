/**
 * The listeners of a configuration: which socket each `bind` is, opening the
 * new ones all-or-nothing, each with the handlers of its frontend and, for a
 * `bind … ssl`, its certificates.
 */
import type { BalancerApp } from '../../src/app.ts';
import type { Bind, Config, Frontend } from '../../src/config/types.ts';
import type { ListenerAddress } from '../command/running-balancer.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { handlersFor } from './handlers.ts';
import { ConfigError, ConfigErrors } from '../../src/config/errors.ts';
import { loadCertificateStore } from './certificate-store.ts';
import { ticketKeysFor } from './session-tickets.ts';
import { Listener } from './listener.ts';
import type { TlsBinding } from './tls-front.ts';
import type { NodeDeps } from './node-deps.ts';

export interface OpenListener {
  readonly listener: Listener;
  readonly address: ListenerAddress;
  /** Whether it accepts TLS (`bind … ssl`). */
  readonly tls: boolean;
}

/** Every `bind` of the configuration with the key that identifies its socket. */
export function bindsOf(config: Config): { key: string; frontend: Frontend; bind: Bind }[] {
  return config.frontends.flatMap((frontend) =>
    frontend.binds.map((bind) => ({ key: `${bind.host}|${bind.port}`, frontend, bind })),
  );
}

/**
 * Loads the certificates of every TLS bind, by bind key. Reading files is the
 * adapter's part of parsing: a missing or broken file is a configuration error
 * at its `bind` line, thrown before anything starts or, on a reload, changes.
 * Each bind gets new session ticket keys, derived from `ticketSecret` when
 * worker processes share it (see session-tickets.ts).
 */
export function loadTlsBindings(config: Config, ticketSecret?: string): Map<string, TlsBinding> {
  const bindings = new Map<string, TlsBinding>();
  const errors: ConfigError[] = [];
  for (const { key, bind } of bindsOf(config)) {
    if (!bind.tls) continue;
    try {
      bindings.set(key, { settings: bind.tls, store: loadCertificateStore(bind.tls), tickets: ticketKeysFor(bind.tls, key, ticketSecret) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // An address list (`bind :443,:8443 ssl crt …`) reports its file once.
      if (!errors.some((e) => e.message === error.message)) errors.push(error);
    }
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return bindings;
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
