/**
 * One client connection read by the raw front: ordinary requests
 * (src/http1/request-head.ts) that the admission step proxies are forwarded
 * and answered here, in order, one at a time; at the first request that is
 * anything else the connection is handed to node:http at that request's
 * boundary (the bytes not served put back), which serves it as ever, with
 * its error pages. A client FIN after its requests still gets the answers
 * (node:http's `httpAllowHalfOpen`), then the connection ends.
 */
import type { Socket } from 'node:net';
import { readOrdinaryRequestHead } from '../../src/http1/request-head.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { handOverToNodeHttp } from './hand-over.ts';
import type { RawFrontContext } from './raw-front.ts';
import { RawResponse } from './raw-response.ts';
import type { UpstreamBody } from './upstream-body.ts';


/** Pipelined bytes held while a response is in progress; beyond, the socket stops reading. */
const PENDING_LIMIT = 64 * 1024;

export type RawPhase = 'head' | 'server' | 'sending' | 'idle';

export class RawConnection {
  readonly socket: Socket;
  readonly #front: RawFrontContext;
  readonly #response: RawResponse;
  /** Bytes read and not served yet, one character per byte. */
  #pending = '';
  #busy = false;
  /** The last response is written: what the client sends after is not read. */
  #over = false;
  #ended = false;
  #method = '';
  #keepAlive = true;
  /** Aborted when the client ends its side or the connection closes (`option abortonclose`). */
  #left: AbortController | undefined;
  /** For the timeout sweep (./raw-front.ts). */
  phase: RawPhase = 'head';
  /** When the current head began (the connection's opening for the first one). */
  headSince: number;
  progress = 0;
  progressAt: number;

  readonly #onData = (chunk: Buffer) => this.#read(chunk);
  readonly #onEnd = () => this.#clientEnded();
  readonly #onClose = () => this.#closed();
  readonly #onDrain = () => this.#response.drained();
  readonly #onOutcome = (outcome: ProxyOutcome<UpstreamBody>) => this.#answer(outcome);
  readonly #onFailure = (error: unknown) => {
    this.#front.warn(`raw front: ${(error as Error).stack ?? String(error)}`);
    this.socket.destroy();
  };
  readonly #clientLeft = () => (this.#left ??= this.#leftController()).signal;

  constructor(socket: Socket, front: RawFrontContext, now: number) {
    this.socket = socket;
    this.#front = front;
    this.#response = new RawResponse(socket, (last) => this.#finished(last));
    this.headSince = this.progressAt = now;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('drain', this.#onDrain);
    socket.on('error', noop);
  }

  /** Between requests with nothing read of the next one. */
  get idle(): boolean {
    return !this.#busy && this.#pending === '';
  }

  #read(chunk: Buffer): void {
    if (this.#over) return;
    if (this.phase === 'idle') {
      this.phase = 'head';
      this.headSince = Date.now();
    }
    this.#pending += chunk.toString('latin1');
    if (!this.#busy) this.#next();
    else if (this.#pending.length > PENDING_LIMIT) this.socket.pause();
  }

  /** Serves the next request read, if it is whole, or hands the connection over. */
  #next(): void {
    if (this.#over) return;
    const pending = this.#pending;
    if (pending === '') {
      this.phase = 'idle';
      if (this.#ended) this.socket.end();
      return;
    }
    const head = readOrdinaryRequestHead(pending);
    if (head === 'incomplete' && !this.#ended) {
      // Pipelined bytes of the next head: `timeout http-request` runs from now.
      if (this.phase !== 'head') {
        this.phase = 'head';
        this.headSince = Date.now();
      }
      return;
    }
    if (typeof head !== 'object') return this.#handOver();
    const outcome = this.#front.forward(head, this.socket, this.#clientLeft);
    if (!outcome) return this.#handOver();
    this.#pending = head.length === pending.length ? '' : pending.slice(head.length);
    this.#busy = true;
    this.phase = 'server';
    this.#method = head.method;
    this.#keepAlive = head.keepAlive;
    outcome.then(this.#onOutcome, this.#onFailure);
  }

  #answer(outcome: ProxyOutcome<UpstreamBody>): void {
    if (this.socket.destroyed) return this.#response.discard(outcome);
    this.phase = 'sending';
    this.progressAt = Date.now();
    this.#response.answer(outcome, { method: this.#method, keepAlive: this.#keepAlive, keepAliveTimeoutMs: this.#front.server.keepAliveTimeout });
  }

  /** The response's last bytes are queued: the next request, or the end of the connection. */
  #finished(last: boolean): void {
    this.#busy = false;
    if (last || this.#front.closing) {
      this.#over = true;
      this.socket.destroySoon();
      return;
    }
    this.phase = 'idle';
    if (this.socket.isPaused()) this.socket.resume();
    this.#next();
  }

  #clientEnded(): void {
    this.#ended = true;
    this.#left?.abort();
    if (!this.#busy) this.#next();
  }

  #closed(): void {
    this.#front.forget(this);
    this.#left?.abort();
    this.#response.abandon();
  }

  #leftController(): AbortController {
    const left = new AbortController();
    if (this.#ended || this.socket.destroyed) left.abort();
    return left;
  }

  /** node:http takes the connection from the request that is not ordinary (or not to be proxied). */
  #handOver(): void {
    const socket = this.socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    socket.off('drain', this.#onDrain);
    socket.off('error', noop);
    this.#front.forget(this);
    const unread = this.#pending;
    this.#pending = '';
    handOverToNodeHttp(socket, this.#front.server, unread, this.#ended);
  }
}

function noop(): void {}
