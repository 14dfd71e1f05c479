/**
 * One client connection read by the raw front: ordinary requests
 * (src/http1/request-head.ts) that the admission step proxies are forwarded
 * and answered here, in order, one at a time; at the first request that is
 * anything else the connection is handed to node:http at that request's
 * boundary (the bytes not served put back), which serves it as ever, with
 * its error pages. A client FIN after its requests still gets the answers
 * (node:http's `httpAllowHalfOpen`), then the connection ends.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { frameResponse } from '../../src/http1/response-head.ts';
import { readOrdinaryRequestHead, type OrdinaryRequestHead } from '../../src/http1/request-head.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { handedOverAtBoundary } from './client-errors.ts';
import { RawResponse } from './raw-response.ts';
import type { UpstreamBody } from './upstream-body.ts';

/**
 * Forwards an ordinary request with the configuration in force; undefined
 * when it is not to be proxied here (stats, answers, compression…).
 */
export type RawForward = (head: OrdinaryRequestHead, socket: Socket, clientLeft: () => AbortSignal) => Promise<ProxyOutcome<UpstreamBody>> | undefined;

export interface RawFrontContext {
  readonly forward: RawForward;
  readonly server: Server;
  /** Graceful close: each connection ends after its response in progress. */
  readonly closing: boolean;
  forget(connection: RawConnection): void;
  warn(message: string): void;
}

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
  #ended = false;
  #last = false;
  #method = '';
  #keepAlive = true;
  #onDone: (() => void) | undefined;
  #body: UpstreamBody | null = null;
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
    this.#response = new RawResponse(socket, () => this.#finished());
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
    const pending = this.#pending;
    if (pending === '') {
      this.phase = 'idle';
      if (this.#ended) this.socket.end();
      return;
    }
    const head = readOrdinaryRequestHead(pending);
    if (head === 'incomplete' && !this.#ended) return;
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
    if (this.socket.destroyed) return discard(outcome);
    this.phase = 'sending';
    this.progressAt = Date.now();
    const exchange = { method: this.#method, keepAlive: this.#keepAlive, keepAliveTimeoutMs: this.#front.server.keepAliveTimeout };
    if (outcome.kind === 'page') {
      outcome.serverBody?.destroy();
      const { page } = outcome;
      // HAProxy's status line carries the page's title (`400 Bad request`), as sendPage writes it.
      const reason = page.reason ?? /<h1>\d{3} ([^<]*)<\/h1>/.exec(page.body)?.[1];
      const framing = frameResponse({ status: page.status, reason, headers: page.headers }, exchange, STATUS_CODES);
      this.#last = framing.last;
      this.#response.start(framing);
      this.#response.end(Buffer.from(page.body));
      return;
    }
    const framing = frameResponse(outcome.head, exchange, STATUS_CODES);
    this.#last = framing.last;
    this.#onDone = outcome.onDone;
    this.#body = outcome.body;
    this.#response.start(framing);
    if (outcome.body) outcome.body.pipeTo(this.#response, outcome.onChunk);
    else this.#response.end();
  }

  /** The response's last bytes are queued: the next request, or the end of the connection. */
  #finished(): void {
    const done = this.#onDone;
    this.#onDone = undefined;
    this.#body = null;
    this.#busy = false;
    done?.();
    if (this.#last || this.#front.closing) {
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
    // As node:http's response 'close': the server's body is stopped, the request's books closed.
    const done = this.#onDone;
    this.#onDone = undefined;
    this.#body?.destroy();
    done?.();
  }

  #leftController(): AbortController {
    const left = new AbortController();
    if (this.#ended || this.socket.destroyed) left.abort();
    return left;
  }

  /**
   * node:http takes the connection from the request that is not ordinary
   * (or not to be proxied): it reads the bytes not served first, then the
   * socket as usual; a FIN already read is passed on too.
   */
  #handOver(): void {
    const socket = this.socket;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    socket.off('drain', this.#onDrain);
    socket.off('error', noop);
    this.#front.forget(this);
    const bytes = this.#pending;
    this.#pending = '';
    if (socket.bytesWritten > 0) handedOverAtBoundary(socket);
    // Paused here while a response was written; node:http may pause it itself
    // (the HTTP/2 preface: ./h2c.ts takes the socket over, paused).
    if (socket.isPaused()) socket.resume();
    this.#front.server.emit('connection', socket);
    if (bytes !== '') socket.emit('data', Buffer.from(bytes, 'latin1'));
    if (this.#ended) socket.emit('end');
  }
}

function discard(outcome: ProxyOutcome<UpstreamBody>): void {
  if (outcome.kind === 'page') return void outcome.serverBody?.destroy();
  outcome.body?.destroy();
  outcome.onDone();
}

function noop(): void {}
