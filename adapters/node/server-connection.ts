/**
 * One plain-TCP connection to a server for adapters/node/raw-upstream.ts: its
 * socket, its response parser, and the exchange (request and response) it
 * carries, one at a time. Between exchanges it waits in the pool's idle list;
 * whatever the server does then (closes, sends bytes nobody asked for, times
 * out) ends it. Bytes are read with `onread` into ./read-regions.ts.
 *
 * Timeouts ride on the socket's own inactivity timer (Node refreshes it on
 * every read and write): `timeout connect` while connecting, then `timeout
 * server`, which is what haproxy measures too, the time without a byte from
 * the server until the head and between body chunks. Connections are pooled
 * per timeout value, so the timer is set twice per connection.
 */
import { connect, type Socket } from 'node:net';
import { UpstreamError } from '../../src/deps.ts';
import type { KeptConnection } from '../../src/proxy/idle-connections.ts';
import { ResponseParser } from '../../src/http1/response-parser.ts';
import { ReadRegions } from './read-regions.ts';
import { upstreamError } from './upstream-errors.ts';

/** What a connection reports to the exchange it carries. */
export interface ConnectionUser {
  /** A chunk of the server's bytes was parsed to its end (the head, if it came, is complete and valid so far). */
  chunkParsed(): void;
  /** The connection failed (error, close before the end, timeout): the exchange ends with it. */
  connectionFailed(error: UpstreamError, timedOut: boolean): void;
}

/** Node's native latin1 decoding (also for the parser's own joined Uint8Arrays: it takes any). */
const nativeLatin1 = Buffer.prototype.latin1Slice;
function latin1Slice(bytes: Uint8Array, start: number, end: number): string {
  return nativeLatin1.call(bytes, start, end);
}

export class ServerConnection implements KeptConnection {
  /** Which requests may take it when it is idle (the pool's key: address and `timeout server`). */
  readonly poolKey: string;
  readonly socket: Socket;
  readonly parser = new ResponseParser(latin1Slice);
  readonly #serverTimeout: number;
  /** The exchange being carried, undefined while idle. */
  user: ConnectionUser | undefined;
  /** Has served an exchange before (a failure with nothing received then means it went stale). */
  reused = false;
  /** Bytes came during the current exchange. */
  received = false;
  #paused = false;
  #idleEnded: (() => void) | undefined;
  readonly #regions = new ReadRegions();

  constructor(poolKey: string, host: string, port: number, connectTimeout: number | undefined, serverTimeout: number | undefined) {
    this.poolKey = poolKey;
    this.#serverTimeout = serverTimeout ?? 0;
    const regions = this.#regions;
    const onread = { buffer: () => regions.next(), callback: this.#onRead.bind(this) };
    const socket = (this.socket = connect({ host, port, noDelay: true, onread }));
    // HAProxy has no connect timeout unless configured; the OS's then.
    if (connectTimeout) socket.setTimeout(connectTimeout);
    socket.on('connect', this.#onConnect.bind(this));
    socket.on('end', this.#onEnd.bind(this));
    socket.on('error', this.#onError.bind(this));
    socket.on('close', this.#onClose.bind(this));
    socket.on('timeout', this.#onTimeout.bind(this));
  }

  /** Stops reading: the client takes the body slower than the server sends it. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.socket.resume();
    // The wait for the client did not count against `timeout server`: its timer starts again.
    if (this.#serverTimeout) this.socket.setTimeout(this.#serverTimeout);
  }

  watchIdle(ended: () => void): void {
    this.#idleEnded = ended;
  }

  /** Taken from the idle list, or new: carries `user`'s exchange. */
  carry(user: ConnectionUser): void {
    this.user = user;
    this.received = false;
    this.#idleEnded = undefined;
  }

  /** The exchange is over: the connection waits for the next one (the pool's `keep`) or is closed. */
  release(): void {
    this.user = undefined;
    this.reused = true;
    if (this.#paused) this.resume();
  }

  close(): void {
    this.user = undefined;
    this.#idleEnded = undefined;
    this.socket.destroy();
  }

  #onConnect(): void {
    this.socket.setTimeout(this.#serverTimeout);
  }

  /** Reading goes on unless `pause()` stopped it. */
  #onRead(bytes: number, region: Uint8Array): boolean {
    this.#onData(this.#regions.read(bytes, region));
    return true;
  }

  #onData(chunk: Buffer): void {
    const user = this.user;
    if (!user) return this.#endIdle();
    this.received = true;
    try {
      this.parser.feed(chunk);
    } catch (error) {
      return this.#fail(error instanceof UpstreamError ? error : upstreamError(error), false);
    }
    // Even if the response ended in this chunk and the connection went back to the pool.
    user.chunkParsed();
  }

  #onEnd(): void {
    if (!this.user) return this.#endIdle();
    // A body delimited by the close ends here; anything else is cut.
    if (!this.parser.close()) this.#fail(new UpstreamError('reset', 'other side closed'), false);
  }

  #onError(error: Error): void {
    if (!this.user) return this.#endIdle();
    this.#fail(upstreamError(error), false);
  }

  #onClose(): void {
    if (!this.user) return this.#endIdle();
    this.#fail(new UpstreamError('reset', 'other side closed'), false);
  }

  #onTimeout(): void {
    if (this.socket.connecting) return this.#fail(new UpstreamError('connect-timeout', 'connect timeout'), true);
    if (!this.user) return this.#endIdle();
    // Held back by a slow client, not by the server (undici's body timeout waits too).
    if (this.#paused) return;
    this.#fail(new UpstreamError('timeout', 'server timeout'), true);
  }

  #fail(error: UpstreamError, timedOut: boolean): void {
    const user = this.user;
    this.close();
    user?.connectionFailed(error, timedOut);
  }

  #endIdle(): void {
    const ended = this.#idleEnded;
    if (ended) ended();
    else this.close();
  }
}
