/**
 * Which certificate a TLS bind presents for the SNI a client sent (the rules
 * are certificate-store.ts's), as the listener's SNICallback.
 *
 * Node pauses every full handshake for a JavaScript round trip when a server
 * has an SNICallback. A bind whose one certificate answers every name (and
 * without strict-sni) needs none: its listener goes without, and a reload
 * that brings more certificates or strict-sni sets it again. tls.Server takes
 * each connection's callback from an own symbol property (internal, named
 * `snicallback`); where that is not found, the callback stays set.
 */
import type { SecureContext, Server as TlsServer } from 'node:tls';
import type { BindTls } from '../../src/config/types.ts';
import type { CertificateStore } from './certificate-store.ts';

export class SniSelection {
  #tls: BindTls;
  #store: CertificateStore;

  constructor(tls: BindTls, store: CertificateStore) {
    this.#tls = tls;
    this.#store = store;
  }

  readonly callback = (servername: string, done: (error: Error | null, context?: SecureContext) => void): void =>
    done(null, this.#contextFor(servername));

  /** The bind's (new) settings and certificates, and whether `server` needs the callback for them. */
  use(server: TlsServer, tls: BindTls, store: CertificateStore): void {
    this.#tls = tls;
    this.#store = store;
    const key = Object.getOwnPropertySymbols(server).find((s) => s.description === 'snicallback');
    if (key === undefined) return;
    const needed = tls.strictSni || store.contexts.length > 1;
    (server as unknown as Record<symbol, unknown>)[key] = needed ? this.callback : undefined;
  }

  /**
   * The certificate for an SNI: its match, else the default one (none under
   * strict-sni). undefined keeps the listener's context, which has the
   * default certificate already: no switch of context.
   */
  #contextFor(servername: string): SecureContext | undefined {
    const match = this.#store.select(servername);
    if (this.#tls.strictSni) return match;
    return match === this.#store.defaultContext ? undefined : match;
  }
}
