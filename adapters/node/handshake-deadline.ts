/**
 * `timeout client` over a TLS handshake, as on HAProxy: a connection whose
 * handshake is not done in time is closed. Node's own handshakeTimeout starts
 * only at the ClientHello, so a client that sends nothing would stay forever.
 * Connections whose handshake is done are known by their client address and
 * port (public on the TCP socket and on the TLS one alike).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export class HandshakeDeadlines {
  /** The TCP connections under the TLS ones. */
  readonly #connections = new Set<Socket>();
  /** `address|port` of the connections whose handshake is done. */
  readonly #secured = new Set<string>();

  /** A new TCP connection, whose handshake must be done within `ms` (none: no limit). */
  start(socket: Socket, ms: number | undefined): void {
    this.#connections.add(socket);
    const peer = `${socket.remoteAddress}|${socket.remotePort}`;
    const timer = ms ? setTimeout(() => this.#secured.has(peer) || socket.destroy(), ms) : undefined;
    socket.once('close', () => {
      clearTimeout(timer);
      this.#connections.delete(socket);
      this.#secured.delete(peer);
    });
  }

  /** Its handshake is done. */
  met(socket: TLSSocket): void {
    this.#secured.add(`${socket.remoteAddress}|${socket.remotePort}`);
  }

  /** Cuts every connection, mid-handshake ones included (the end of a stop's grace period). */
  destroyAll(): void {
    for (const socket of this.#connections) socket.destroy();
  }
}
