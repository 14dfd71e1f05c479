/**
 * One listening socket (`bind ADDR:PORT`) whose behaviour can be swapped: a
 * configuration reload hands it a new request handler, new timeouts and
 * possibly a new frontend name (and certificates), and connections already
 * open carry on. Its connections count against `maxconn` through the
 * ConnectionGate. Each HTTP/1 connection is read by the raw front
 * (./raw-front.ts), which hands what it does not serve to node:http. On a
 * `bind … ssl` the TLS server (./tls-front.ts) accepts and hands each
 * connection, decrypted, to the same HTTP/1 or HTTP/2 serving.
 */
import type { RequestListener, Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Timeouts } from '../../src/config/types.ts';
import { answerClientErrors } from './client-errors.ts';
import { createNodeHttpServer } from './node-http-server.ts';
import { enforceClientTimeout } from './client-timeout.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { Http2AsHttp1 } from './h2c.ts';
import type { RawForward } from './raw-forward.ts';
import { RawFront } from './raw-front.ts';
import { listenPausable } from './pausable-listen.ts';
import { TlsFront, type TlsBinding } from './tls-front.ts';
import type { UpgradeListener } from './upgrade.ts';
import { clientLimitsOf } from '../../src/http1/client-limits.ts';
import { applyHttpServerLimits } from './http-server-limits.ts';

/** What a configuration does with a listener's requests: ordinary ones, and upgrades (WebSocket…). */
export interface ListenerHandlers {
  readonly request: RequestListener;
  readonly upgrade: UpgradeListener;
  /** Ordinary proxied requests on the raw front (./raw-front.ts); without it, node:http serves all. */
  readonly raw?: RawForward;
}

export class Listener {
  readonly #server: Server;
  readonly #tls: TlsFront | undefined;
  /** The socket that accepts: the TLS server of a `bind … ssl`, else a plain one; both hand connections to the raw front. */
  readonly #accepting: NetServer;
  #handlers: ListenerHandlers;
  #timeouts: Timeouts;
  /** Connections handed to the upgrade handler: tunnels outlive a reload, not the grace period. */
  readonly #upgraded = new Set<Socket>();
  /** Connections that opened with the HTTP/2 preface, served as haproxy serves them. */
  readonly #http2 = new Http2AsHttp1(
    () => (request, response) => this.#handlers.request(request, response),
    () => this.#timeouts.client,
  );
  #frontend: string;
  readonly #gate: ConnectionGate;
  #counted?: ReturnType<ConnectionGate['attach']>;
  readonly #stopSweep: () => void;
  readonly #raw: RawFront;

  constructor(handlers: ListenerHandlers, timeouts: Timeouts, frontend: string, gate: ConnectionGate, warn: (message: string) => void, tls?: TlsBinding) {
    this.#handlers = handlers;
    this.#timeouts = timeouts;
    this.#frontend = frontend;
    this.#gate = gate;
    this.#server = createNodeHttpServer(
      (request, response) => this.#handlers.request(request, response),
      (request, socket, head) => {
        this.#upgraded.add(socket);
        socket.once('close', () => this.#upgraded.delete(socket));
        this.#handlers.upgrade(request, socket, head, this.#server);
      },
    );
    answerClientErrors(this.#server, () => this.#timeouts.httpRequest, (socket, bytes) => this.#http2.takeOver(socket, bytes));
    const limits = () => clientLimitsOf(this.#timeouts);
    this.#stopSweep = enforceClientTimeout(this.#server, limits);
    applyHttpServerLimits(this.#server, this.#timeouts);
    this.#raw = new RawFront(this.#server, () => this.#handlers.raw, limits, warn);
    const accept = (socket: Socket) => this.#raw.accept(socket);
    this.#tls = tls && new TlsFront(tls, { http1: accept, http2: (socket) => this.#http2.serve(socket) }, () => this.#timeouts.client);
    // Connections go to the raw front first; node:http never listens itself,
    // so its connection tracking (closeIdleConnections…) is started here.
    this.#server.emit('listening');
    // As node:http's own: half-open sockets allowed, no Nagle delay.
    this.#accepting = this.#tls?.server ?? createNetServer({ allowHalfOpen: true, noDelay: true }, accept);
  }

  /** New handlers, timeouts and frontend for the requests and connections to come. */
  update(handlers: ListenerHandlers, timeouts: Timeouts, frontend: string, tls?: TlsBinding): void {
    if (tls) this.#tls?.update(tls);
    this.#handlers = handlers;
    this.#timeouts = timeouts;
    this.#frontend = frontend;
    this.#counted?.rename(frontend);
    applyHttpServerLimits(this.#server, this.#timeouts);
  }

  /** Listens; resolves with the port (the chosen one when `port` is 0). */
  async listen(host: string, port: number): Promise<number> {
    const listening = await listenPausable(this.#accepting, host, port);
    this.#counted = this.#gate.attach(this.#accepting, this.#frontend, listening.pausable);
    return listening.port;
  }

  /** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void> {
    this.#stopSweep();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.#server.closeAllConnections();
        this.#raw.destroy();
        for (const socket of this.#upgraded) socket.destroy();
        this.#http2.destroy();
        this.#tls?.destroyConnections();
      }, graceMs);
      this.#accepting.close(() => {
        clearTimeout(force);
        this.#counted?.detach();
        resolve();
      });
      // Stops node:http's connection tracking (its server is not listening).
      this.#server.close(() => {});
      this.#server.closeIdleConnections();
      this.#raw.close();
      this.#http2.close();
    });
  }
}
