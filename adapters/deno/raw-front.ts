/**
 * The raw front of one plain listener on Deno: every accepted connection is
 * read first by a RawConnection, which serves ordinary proxied requests
 * itself (Deno.serve's Request, Response and Headers cost about half the
 * time of a small proxied request, measured in bench/NOTES.md) and hands
 * anything else to the full server (./hand-over.ts). Its client timeouts:
 * ./client-timeouts.ts, one sweep over the connections.
 */
import type { Admission } from '../../src/admission/admit-request.ts';
import type { OrdinaryForward } from '../../src/admission/ordinary-forward.ts';
import type { Http1Body } from '../../src/proxy/http1-client.ts';
import type { FullServer } from './hand-over.ts';
import type { ClientLimits } from '../../src/http1/client-limits.ts';
import type { ConnectionFacts } from '../../src/rules/transaction.ts';
import type { AcceptGate, FrontendSlots } from './accept-gate.ts';
import { overdue, sweepInterval } from './client-timeouts.ts';
import { RawConnection } from './raw-connection.ts';
import { errorPageBytes } from './next-request.ts';

const PAGE_408 = errorPageBytes(408);
/** Where the bytes of a rejected connection go. */
const NOWHERE: Tunnel = { fromClient: async () => {}, abort() {} };

export type Rejected = Extract<Admission, { kind: 'reject' }>;

/** What a RawConnection needs of its listener's raw front. */
export interface RawFrontContext {
  readonly forward: OrdinaryForward<Http1Body> | undefined;
  /** Graceful close: each connection ends after its response in progress. */
  readonly closing: boolean;
  /** Where the client's bytes go from now on, the unread ones first. */
  handOver(connection: RawConnection, unread: Uint8Array, admission: Admission | undefined): Tunnel;
  forget(connection: RawConnection): void;
  warn(message: string): void;
}

/** A connection handed over: the client's bytes are written to the full server (null: the client's FIN). */
export interface Tunnel {
  fromClient(bytes: Uint8Array | null): Promise<void>;
  /** The client's connection failed: both ends close. */
  abort(): void;
}

export interface RawFrontOptions {
  /** undefined: every connection goes to the full server. */
  readonly forward: OrdinaryForward<Http1Body> | undefined;
  readonly limits: ClientLimits;
  /** `maxconn`: the process's gate and this frontend's share of it. */
  readonly gate: AcceptGate;
  readonly slots: FrontendSlots;
  /** Books a request `http-request reject` refused (its connection is closed here). */
  readonly rejected: (admission: Rejected, facts: ConnectionFacts) => void;
  readonly warn: (message: string) => void;
}

export class RawFront implements RawFrontContext {
  readonly forward: OrdinaryForward<Http1Body> | undefined;
  readonly warn: (message: string) => void;
  readonly #listener: Deno.TcpListener;
  readonly #full: FullServer;
  readonly #options: RawFrontOptions;
  readonly #connections = new Set<RawConnection>();
  #drained: (() => void) | undefined;
  readonly #sweep: ReturnType<typeof setInterval> | undefined;
  closing = false;

  constructor(listener: Deno.TcpListener, full: FullServer, options: RawFrontOptions) {
    this.#listener = listener;
    this.#full = full;
    this.#options = options;
    this.forward = options.forward;
    this.warn = options.warn;
    const { limits } = options;
    const every = sweepInterval(limits);
    if (every !== undefined) {
      const sweep = setInterval(() => this.#enforce(limits), every);
      Deno.unrefTimer(sweep);
      this.#sweep = sweep;
    }
    void this.#accept();
  }

  #enforce(limits: ClientLimits): void {
    const now = Date.now();
    for (const connection of this.#connections) {
      const verdict = overdue(connection.clock, limits, now);
      if (verdict === '408') connection.closeWith(PAGE_408);
      else if (verdict === 'close') connection.close();
    }
  }

  async #accept(): Promise<void> {
    const { gate, slots } = this.#options;
    try {
      for (;;) {
        // At `maxconn` the next clients wait in the kernel's listen queue, as with haproxy.
        await gate.room(slots);
        const conn = await this.#listener.accept();
        if (this.closing) {
          conn.close();
          continue;
        }
        gate.opened(slots);
        this.#connections.add(new RawConnection(conn, this));
      }
    } catch {
      // The listener closed.
    }
  }

  handOver(connection: RawConnection, unread: Uint8Array, admission: Admission | undefined): Tunnel {
    this.#untrack(connection);
    if (admission?.kind !== 'reject') return this.#full.relay(connection.conn, connection.facts, unread, admission, () => this.#closed());
    // `http-request reject`: the connection closes with no answer, as haproxy's (Deno.serve would have to answer).
    this.#options.rejected(admission, connection.facts);
    connection.close();
    // Untracked above, so its close does not come back through forget(): its `maxconn` slot is freed here.
    this.#closed();
    return NOWHERE;
  }

  /** `connection` closed (one handed over closes when its relay ends). */
  forget(connection: RawConnection): void {
    if (!this.#connections.has(connection)) return;
    this.#untrack(connection);
    this.#closed();
  }

  /** No longer this front's to serve (closed, or handed over). */
  #untrack(connection: RawConnection): void {
    this.#connections.delete(connection);
    if (this.closing && this.#connections.size === 0) this.#drained?.();
  }

  #closed(): void {
    this.#options.gate.closed(this.#options.slots);
  }

  /** Stops accepting; idle connections close now, busy ones after their response, handed-over ones as Deno.serve's shutdown says. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.#sweep);
    this.#listener.close();
    for (const connection of this.#connections) if (connection.idle) connection.close();
    const drained = this.#connections.size === 0 ? undefined : new Promise<void>((resolve) => (this.#drained = resolve));
    await Promise.all([drained, this.#full.shutdown()]);
  }
}
