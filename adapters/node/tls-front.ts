/**
 * The TLS side of a `bind … ssl` listener: the listening socket is a
 * node:tls server, and each connection, once its handshake is done, goes on
 * by the protocol ALPN chose. `h2` goes to the HTTP/2 sessions (./h2c.ts,
 * the same streams-as-HTTP/1-requests mapping as HTTP/2 on a plain bind);
 * `http/1.1` or no ALPN goes to the listener's own node:http server, so TLS
 * requests take the very path plain ones take (fast path, upgrades, client
 * timeouts, HAProxy's error pages).
 *
 * Node's `http2.createSecureServer({ allowHTTP1: true })` would make the
 * HTTP/2 server the HTTP/1 server as well, with its own request and timeout
 * handling; and without `allowHTTP1` it offers only `h2`. So ALPN is
 * answered here from the bind's `alpn` list and the two servers are fed.
 *
 * A reload swaps the certificates and settings for the handshakes to come;
 * connections already open keep theirs.
 */
import { Server as TlsServer, type SecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { BindTls } from '../../src/config/types.ts';
import type { TlsFacts } from '../../src/rules/transaction.ts';
import type { CertificateStore } from './certificate-store.ts';
import { HandshakeDeadlines } from './handshake-deadline.ts';
import { SniSelection } from './sni-selection.ts';
import type { TicketKeys } from './session-tickets.ts';
import { secureContextOptions, selectAlpn } from './tls-options.ts';

export interface TlsConnectionHandlers {
  /** A connection whose ALPN chose `h2`. */
  readonly http2: (socket: TLSSocket) => void;
  /** Any other: HTTP/1.x. */
  readonly http1: (socket: TLSSocket) => void;
}

/** A TLS bind's settings with its certificates, loaded, and its session ticket keys (none: `no-tls-tickets`). */
export interface TlsBinding {
  readonly settings: BindTls;
  readonly store: CertificateStore;
  readonly tickets?: TicketKeys;
}

export class TlsFront {
  readonly server: TlsServer;
  #tls: BindTls;
  #store: CertificateStore;
  readonly #deadlines = new HandshakeDeadlines();
  readonly #sni: SniSelection;

  /** `handshakeMs()` (`timeout client`) is read per connection, so a reload's value applies to the next ones. */
  constructor(binding: TlsBinding, handlers: TlsConnectionHandlers, handshakeMs: () => number | undefined) {
    const { settings: tls, store } = binding;
    this.#tls = tls;
    this.#store = store;
    this.#sni = new SniSelection(tls, store);
    this.server = new TlsServer({
      ...this.#defaultContextOptions(),
      // A client that goes away during the handshake is closed at once; only
      // an HTTP/1 connection is half-open, as on node:http's server (below).
      allowHalfOpen: false,
      noDelay: true,
      SNICallback: this.#sni.callback,
      // Without `alpn` HAProxy negotiates no protocol (HTTP/1.1); installing no
      // callback makes Node ignore the client's list the same way.
      ...(tls.alpn ? { ALPNCallback: ({ protocols }: { protocols: string[] }) => selectAlpn(this.#tls.alpn ?? [], protocols) } : {}),
    });
    this.#sni.use(this.server, tls, store);
    this.#installTicketKeys(binding);
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.#deadlines.met(socket);
      if (socket.alpnProtocol === 'h2') return handlers.http2(socket);
      // node:http decides when a half-closed HTTP/1 connection ends (httpAllowHalfOpen).
      socket.allowHalfOpen = true;
      handlers.http1(socket);
    });
    // A failed handshake (unknown SNI with strict-sni, an old version, a
    // timeout) closes its connection; HAProxy logs nothing by default either.
    this.server.on('tlsClientError', () => {});
    this.server.on('connection', (socket: Socket) => this.#deadlines.start(socket, handshakeMs()));
  }

  /** Cuts every connection, mid-handshake ones included (the end of a stop's grace period). */
  destroyConnections(): void {
    this.#deadlines.destroyAll();
  }

  /** New certificates and settings for new handshakes (a reload). */
  update(binding: TlsBinding): void {
    this.#tls = binding.settings;
    this.#store = binding.store;
    this.server.setSecureContext(this.#defaultContextOptions());
    this.#sni.use(this.server, binding.settings, binding.store);
    this.#installTicketKeys(binding);
  }

  /**
   * The default context carries the versions and ciphers; its certificate is
   * the store's first, except under strict-sni, where a client without SNI
   * must fail the handshake as on HAProxy.
   */
  #defaultContextOptions(): SecureContextOptions {
    return { ...secureContextOptions(this.#tls), ...(this.#tls.strictSni ? {} : this.#store.defaultCertificate) };
  }

  /** The bind's ticket keys for every context of the bind. */
  #installTicketKeys({ tickets, store }: TlsBinding): void {
    // tls.Server's default context (not public; without it Node's keys stay).
    tickets?.install((this.server as unknown as { _sharedCreds?: SecureContext })._sharedCreds);
    for (const context of store.contexts) tickets?.install(context);
  }
}

/** `ssl_fc_sni`, `ssl_fc_alpn`, `ssl_fc_protocol` of a connection, undefined for a plain one. */
export function tlsFactsOf(socket: object): TlsFacts | undefined {
  if ((socket as { encrypted?: boolean }).encrypted !== true) return undefined;
  let facts = factsByConnection.get(socket);
  if (!facts) {
    const tls = socket as TLSSocket;
    const sni = (tls as { servername?: string | false }).servername;
    facts = { sni: sni || undefined, alpn: tls.alpnProtocol || undefined, protocol: tls.getProtocol() ?? undefined };
    factsByConnection.set(socket, facts);
  }
  return facts;
}

/** A connection's TLS facts do not change after the handshake: computed for its first request. */
const factsByConnection = new WeakMap<object, TlsFacts>();
