/**
 * One listening socket (`bind ADDR:PORT`) whose behaviour can be swapped: a
 * configuration reload hands it a new request handler, new timeouts and
 * possibly a new frontend name, and connections already open carry on. Node's
 * http server settings that cannot change per request are set once here; its
 * connections count against `maxconn` through the ConnectionGate.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Timeouts } from '../../src/config/types.ts';
import { answerClientErrors, refuseUnsupportedRequests } from './client-errors.ts';
import { enforceClientTimeout } from './client-timeout.ts';
import type { ConnectionGate } from './connection-gate.ts';
import { H2cPriorKnowledge } from './h2c.ts';
import { listenPausable } from './pausable-listen.ts';
import type { UpgradeListener } from './upgrade.ts';

/** What a configuration does with a listener's requests: ordinary ones, and upgrades (WebSocket…). */
export interface ListenerHandlers {
  readonly request: RequestListener;
  readonly upgrade: UpgradeListener;
}

export class Listener {
  readonly #server: Server;
  #handlers: ListenerHandlers;
  #timeouts: Timeouts;
  /** Connections handed to the upgrade handler: tunnels outlive a reload, not the grace period. */
  readonly #upgraded = new Set<Socket>();
  /** Connections that opened with the HTTP/2 preface, served as haproxy serves them. */
  readonly #http2 = new H2cPriorKnowledge(
    () => (request, response) => this.#handlers.request(request, response),
    () => this.#timeouts.client,
  );
  #frontend: string;
  readonly #gate: ConnectionGate;
  #counted?: ReturnType<ConnectionGate['attach']>;
  readonly #stopSweep: () => void;

  constructor(handlers: ListenerHandlers, timeouts: Timeouts, frontend: string, gate: ConnectionGate) {
    this.#handlers = handlers;
    this.#timeouts = timeouts;
    this.#frontend = frontend;
    this.#gate = gate;
    // An HTTP/1.0 request without Host is forwarded, as haproxy does; an
    // HTTP/1.1 one gets HAProxy's 400 page from client-errors.ts, not Node's.
    this.#server = createServer({ requireHostHeader: false });
    this.#server.on('request', refuseUnsupportedRequests(this.#server, (request, response) => {
      // HAProxy adds no Date line: the server's own, if it sent one, is forwarded.
      response.sendDate = false;
      this.#handlers.request(request, response);
    }));
    this.#server.on('upgrade', (request, socket: Socket, head: Buffer) => {
      this.#upgraded.add(socket);
      socket.once('close', () => this.#upgraded.delete(socket));
      this.#handlers.upgrade(request, socket, head, this.#server);
    });
    // `timeout http-request` and `timeout client` are enforced by
    // client-errors.ts and client-timeout.ts, promptly and with HAProxy's pages.
    this.#server.requestTimeout = 0;
    this.#server.timeout = 0;
    // A client that shuts down its sending side after the request still reads
    // the answer: HAProxy aborts on that only with `option abortonclose`.
    // Node aborts such requests unless this long-standing flag is set.
    (this.#server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    answerClientErrors(this.#server, () => this.#timeouts.httpRequest, (socket, bytes) => this.#http2.takeOver(socket, bytes));
    this.#stopSweep = enforceClientTimeout(this.#server, () => ({
      client: this.#timeouts.client,
      httpRequest: this.#timeouts.httpRequest,
      keepAlive: keepAliveLimit(this.#timeouts),
    }));
    this.#applyServerLimits();
  }

  /** New handlers, timeouts and frontend for the requests and connections to come. */
  update(handlers: ListenerHandlers, timeouts: Timeouts, frontend: string): void {
    this.#handlers = handlers;
    this.#timeouts = timeouts;
    this.#frontend = frontend;
    this.#counted?.rename(frontend);
    this.#applyServerLimits();
  }

  #applyServerLimits(): void {
    // Node's coarse (30 s sweep) backstop against request heads that trickle in forever.
    this.#server.headersTimeout = this.#timeouts.httpRequest ?? 60_000;
    // Idle kept-alive connections are closed by client-timeout.ts on time;
    // Node's own timer (a second later than it says) is the backstop and its
    // `Keep-Alive: timeout=N` hint tells clients. With no timeout set HAProxy
    // waits forever; Node's 5 s default is kept instead.
    this.#server.keepAliveTimeout = keepAliveLimit(this.#timeouts) ?? 5_000;
  }

  /** Listens; resolves with the port (the chosen one when `port` is 0). */
  async listen(host: string, port: number): Promise<number> {
    const listening = await listenPausable(this.#server, host, port);
    this.#counted = this.#gate.attach(this.#server, this.#frontend, listening.pausable);
    return listening.port;
  }

  /** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void> {
    this.#stopSweep();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.#server.closeAllConnections();
        for (const socket of this.#upgraded) socket.destroy();
        this.#http2.destroy();
      }, graceMs);
      this.#server.close(() => {
        clearTimeout(force);
        this.#counted?.detach();
        resolve();
      });
      this.#server.closeIdleConnections();
      this.#http2.close();
    });
  }
}

/** How long a kept-alive connection waits for its next request: HAProxy's order of fallbacks. */
function keepAliveLimit({ httpKeepAlive, httpRequest, client }: Timeouts): number | undefined {
  return httpKeepAlive ?? httpRequest ?? client;
}
