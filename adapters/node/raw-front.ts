/**
 * The raw front of one listener: every accepted connection (plain, or the
 * HTTP/1.1 connections of a TLS bind) is read first by a RawConnection,
 * which serves ordinary proxied requests on the socket itself and hands
 * anything else to node:http (measured: node:http's parser and
 * ServerResponse cost about half the time of a small proxied request).
 *
 * Its client timeouts are those of client-timeout.ts and client-errors.ts,
 * by one sweep over the raw connections' counters, not a timer per request:
 * a head must be whole within `timeout http-request` (else HAProxy's 408
 * page), a kept-alive connection idle for the shorter of `timeout client` and
 * the keep-alive limit is closed, and so is one that makes no progress for
 * `timeout client` while its answer is written.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { answerRequestTimeout } from './client-errors.ts';
import type { ClientLimits } from '../../src/http1/client-limits.ts';
import { RawConnection } from './raw-connection.ts';
import type { RawForward } from './raw-forward.ts';

const SWEEP_MS = 10;

/** What a RawConnection needs of its listener's raw front. */
export interface RawFrontContext {
  readonly forward: RawForward;
  readonly server: Server;
  /** Graceful close: each connection ends after its response in progress. */
  readonly closing: boolean;
  forget(connection: RawConnection): void;
  warn(message: string): void;
}

export class RawFront implements RawFrontContext {
  readonly server: Server;
  readonly #forward: () => RawForward | undefined;
  readonly #limits: () => ClientLimits;
  readonly #connections = new Set<RawConnection>();
  readonly #sweep: NodeJS.Timeout;
  readonly warn: (message: string) => void;
  closing = false;
  #every = 0;

  /** `forward()` is read per request (a reload changes it); undefined: every connection goes to node:http. */
  constructor(server: Server, forward: () => RawForward | undefined, limits: () => ClientLimits, warn: (message: string) => void) {
    this.server = server;
    this.#forward = forward;
    this.#limits = limits;
    this.warn = warn;
    this.#sweep = setInterval(() => this.#enforceTimeouts(), SWEEP_MS);
    this.#sweep.unref();
  }

  readonly forward: RawForward = (head, socket, clientLeft) => this.#forward()?.(head, socket, clientLeft);

  accept(socket: Socket): void {
    if (this.closing || !this.#forward()) {
      this.server.emit('connection', socket);
      return;
    }
    this.#connections.add(new RawConnection(socket, this, Date.now()));
  }

  forget(connection: RawConnection): void {
    this.#connections.delete(connection);
  }

  /** Graceful close: idle connections close now, busy ones after their response. */
  close(): void {
    this.closing = true;
    clearInterval(this.#sweep);
    for (const connection of this.#connections) if (connection.idle) connection.socket.destroy();
  }

  destroy(): void {
    for (const connection of this.#connections) connection.socket.destroy();
  }

  /** As client-timeout.ts: ten sweeps per timeout (10 ms – 1 s apart); a sweep only reads counters. */
  #enforceTimeouts(): void {
    if (this.#connections.size === 0) return;
    const { client = Infinity, httpRequest = Infinity, keepAlive = Infinity } = this.#limits();
    const idleLimit = Math.min(client, keepAlive);
    const shortest = Math.min(idleLimit, httpRequest);
    if (shortest === Infinity) return;
    if (++this.#every * SWEEP_MS < Math.min(1000, shortest / 10)) return;
    this.#every = 0;
    const now = Date.now();
    for (const connection of this.#connections) {
      const { socket } = connection;
      const progress = socket.bytesRead + socket.bytesWritten;
      const moved = progress !== connection.progress;
      connection.progress = progress;
      switch (connection.phase) {
        case 'head':
          if (now - connection.headSince >= httpRequest) answerRequestTimeout(socket);
          else if (moved) connection.progressAt = now;
          else if (now - connection.progressAt >= client) socket.destroy();
          break;
        case 'server':
          // The server's turn (`timeout server`), not the client's.
          connection.progressAt = now;
          break;
        case 'sending':
          if (moved) connection.progressAt = now;
          else if (now - connection.progressAt >= client) socket.destroy();
          break;
        case 'idle':
          if (moved) connection.progressAt = now;
          else if (now - connection.progressAt >= idleLimit) socket.destroy();
          break;
      }
    }
  }
}
