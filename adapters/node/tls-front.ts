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
import { secureContextOptions, selectAlpn } from './tls-options.ts';

export interface TlsConnectionHandlers {
  /** A connection whose ALPN chose `h2`. */
  readonly http2: (socket: TLSSocket) => void;
  /** Any other: HTTP/1.x. */
  readonly http1: (socket: TLSSocket) => void;
}

/** A TLS bind's settings with its certificates, loaded. */
export interface TlsBinding {
  readonly settings: BindTls;
  readonly store: CertificateStore;
}

export class TlsFront {
  readonly server: TlsServer;
  #tls: BindTls;
  #store: CertificateStore;
  /** The TCP connections under the TLS ones. */
  readonly #connections = new Set<Socket>();
  /** `address|port` of the connections whose handshake is done. */
  readonly #secured = new Set<string>();

  /** `handshakeMs()` (`timeout client`) is read per connection, so a reload's value applies to the next ones. */
  constructor({ settings: tls, store }: TlsBinding, handlers: TlsConnectionHandlers, handshakeMs: () => number | undefined) {
    this.#tls = tls;
    this.#store = store;
    this.server = new TlsServer({
      ...this.#defaultContextOptions(),
      // A client that goes away during the handshake is closed at once; only
      // an HTTP/1 connection is half-open, as on node:http's server (below).
      allowHalfOpen: false,
      noDelay: true,
      SNICallback: (servername, done) => done(null, this.#contextFor(servername)),
      // Without `alpn` HAProxy negotiates no protocol (HTTP/1.1); installing no
      // callback makes Node ignore the client's list the same way.
      ...(tls.alpn ? { ALPNCallback: ({ protocols }: { protocols: string[] }) => selectAlpn(this.#tls.alpn ?? [], protocols) } : {}),
    });
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.#secured.add(`${socket.remoteAddress}|${socket.remotePort}`);
      if (socket.alpnProtocol === 'h2') return handlers.http2(socket);
      // node:http decides when a half-closed HTTP/1 connection ends (httpAllowHalfOpen).
      socket.allowHalfOpen = true;
      handlers.http1(socket);
    });
    // A failed handshake (unknown SNI with strict-sni, an old version, a
    // timeout) closes its connection; HAProxy logs nothing by default either.
    this.server.on('tlsClientError', () => {});
    // The handshake must end within `timeout client`, as on HAProxy (Node's
    // own handshakeTimeout starts only at the ClientHello, so a client that
    // sends nothing would stay forever). Connections whose handshake is done
    // are known by their client address and port (public on both sockets).
    this.server.on('connection', (socket: Socket) => {
      this.#connections.add(socket);
      const peer = `${socket.remoteAddress}|${socket.remotePort}`;
      const ms = handshakeMs();
      const timer = ms ? setTimeout(() => this.#secured.has(peer) || socket.destroy(), ms) : undefined;
      socket.once('close', () => {
        clearTimeout(timer);
        this.#connections.delete(socket);
        this.#secured.delete(peer);
      });
    });
  }

  /** Cuts every connection, mid-handshake ones included (the end of a stop's grace period). */
  destroyConnections(): void {
    for (const socket of this.#connections) socket.destroy();
  }

  /** New certificates and settings for new handshakes (a reload). */
  update({ settings: tls, store }: TlsBinding): void {
    this.#tls = tls;
    this.#store = store;
    this.server.setSecureContext(this.#defaultContextOptions());
  }

  /**
   * The default context carries the versions and ciphers; its certificate is
   * the store's first, except under strict-sni, where a client without SNI
   * must fail the handshake as on HAProxy.
   */
  #defaultContextOptions(): SecureContextOptions {
    return { ...secureContextOptions(this.#tls), ...(this.#tls.strictSni ? {} : this.#store.defaultCertificate) };
  }

  /** The certificate for an SNI: its match, else the default one (none under strict-sni). */
  #contextFor(servername: string): SecureContext | undefined {
    return this.#store.select(servername) ?? (this.#tls.strictSni ? undefined : this.#store.defaultContext);
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
