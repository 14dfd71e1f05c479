/**
 * One client connection of the Deno raw front (./raw-front.ts): ordinary
 * proxied requests are answered here, in order; a malformed one gets
 * HAProxy's page (./next-request.ts); at the first other request the
 * connection goes, at that request's boundary, to the full server
 * (./hand-over.ts). A client FIN after its requests still gets the answers.
 */
import type { Admission } from '../../src/admission/admit-request.ts';
import type { Http1Body } from '../../src/proxy/http1-client.ts';
import type { ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import { ExchangeClock } from './client-timeouts.ts';
import { connectionFactsOf } from './connection-facts.ts';
import { latin1Bytes } from './latin1.ts';
import { RequestReader } from './next-request.ts';
import type { RawFrontContext, Tunnel } from './raw-front.ts';
import { writeAll, writeOutcome } from './raw-response.ts';

const READ_BYTES = 16 * 1024;
/** Pipelined bytes held while a response is in progress; beyond, the connection is not read. */
const PENDING_LIMIT = 64 * 1024;

export class RawConnection {
  readonly conn: Deno.TcpConn;
  readonly facts: ConnectionFacts;
  readonly #front: RawFrontContext;
  /** Bytes read and not served yet, one character per byte. */
  #pending = '';
  /** The bytes as text, and what each request is (./next-request.ts). */
  readonly #text = new RequestReader();
  #busy = false;
  #answered = false;
  #ended = false;
  #closed = false;
  #tunnel: Tunnel | undefined;
  #room: (() => void) | undefined;
  /** Aborted when the client ends its side or the connection closes (`option abortonclose`). */
  #left: AbortController | undefined;
  /** For the timeout sweep (./client-timeouts.ts). */
  readonly clock = new ExchangeClock();
  readonly #writer;
  readonly #clientLeft = () => (this.#left ??= this.#leftController()).signal;

  constructor(conn: Deno.TcpConn, front: RawFrontContext) {
    this.conn = conn;
    this.#front = front;
    this.facts = connectionFactsOf(conn);
    this.#writer = this.clock.writerOf(conn);
    void this.#read();
  }

  /** Between requests, none read yet (not before the first: a graceful stop serves it). */
  get idle(): boolean {
    return this.#answered && !this.#busy && this.#pending === '' && !this.#tunnel;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room?.();
    this.#left?.abort();
    this.#front.forget(this);
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
  }

  /** Writes HAProxy's 408, 400 or 405 page, then closes; nothing more is read or served. */
  closeWith(bytes: Uint8Array): void {
    this.#busy = true;
    this.clock.phase = 'sending';
    void writeAll(this.conn, bytes).finally(() => this.close());
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(READ_BYTES);
    try {
      for (;;) {
        if (this.#pending.length > PENDING_LIMIT && !this.#tunnel) await new Promise<void>((resolve) => (this.#room = resolve));
        if (this.#closed) return;
        const count = await this.conn.read(buffer);
        if (this.#tunnel) {
          await this.#tunnel.fromClient(count === null ? null : buffer.slice(0, count));
          if (count === null) return;
          continue;
        }
        if (count === null) return this.#clientEnded();
        this.clock.read();
        this.#pending += this.#text.decode(buffer.subarray(0, count));
        if (!this.#busy) this.#next();
      }
    } catch {
      // The client reset the connection, or it was closed here.
      if (this.#tunnel) this.#tunnel.abort();
      else this.close();
    }
  }

  /** Serves the next request read, if it is whole, or hands the connection over. */
  #next(): void {
    if (this.#closed || this.#tunnel) return;
    const pending = this.#pending;
    if (pending === '') {
      if (this.#ended || this.#front.closing) this.close();
      return;
    }
    const head = this.#text.next(pending, this.#ended);
    if (head === 'wait') return;
    if (head instanceof Uint8Array) return this.closeWith(head);
    if (head === 'hand over') return this.#handOver(undefined);
    const forward = this.#front.forward;
    const result = forward?.(head, this.facts, this.#clientLeft);
    if (!(result instanceof Promise)) return this.#handOver(result);
    this.#pending = head.length === pending.length ? '' : pending.slice(head.length);
    this.#busy = true;
    this.clock.phase = 'server';
    void this.#answer(result, head.method, head.keepAlive);
  }

  async #answer(outcome: Promise<ProxyOutcome<Http1Body>>, method: string, keepAlive: boolean): Promise<void> {
    let last: boolean;
    try {
      const answer = await outcome;
      this.clock.phase = 'sending';
      this.clock.wrote();
      last = await writeOutcome(this.#writer, answer, { method, keepAlive, keepAliveTimeoutMs: 0 });
    } catch (error) {
      if (!this.#closed && !(error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset)) {
        this.#front.warn(`raw front: ${(error as Error).stack ?? String(error)}`);
      }
      return this.close();
    }
    this.#busy = false;
    this.#answered = true;
    this.clock.answered(this.#pending !== '');
    if (last || this.#front.closing) return this.close();
    if (this.#pending.length <= PENDING_LIMIT) this.#room?.();
    this.#next();
  }

  #clientEnded(): void {
    this.#ended = true;
    this.#left?.abort();
    if (!this.#busy) this.#next();
  }

  #leftController(): AbortController {
    const left = new AbortController();
    if (this.#ended || this.#closed) left.abort();
    return left;
  }

  /** The full server takes the connection from the request that is not ordinary (or not to be proxied). */
  #handOver(admission: Admission | undefined): void {
    const unread = latin1Bytes(this.#pending);
    this.#pending = '';
    this.#tunnel = this.#front.handOver(this, unread, admission);
    this.#room?.();
    if (this.#ended) void this.#tunnel.fromClient(null);
  }
}
