/**
 * Which socket each `bind` is, and the certificates of the TLS ones: all that
 * `edge-balancer -c` needs besides the config reader, so it loads without the
 * listeners, the proxy and its HTTP clients.
 */
import { ConfigError, ConfigErrors } from '../../src/config/errors.ts';
import type { Bind, Config, Frontend } from '../../src/config/types.ts';
import { loadCertificateStore } from './certificate-store.ts';
import { ticketKeysFor } from './session-tickets.ts';
import type { TlsBinding } from './tls-front.ts';

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

