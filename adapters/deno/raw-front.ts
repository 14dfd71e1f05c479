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
import { pageText } from '../../src/http1/response-head.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';
import { overdue, sweepInterval } from './client-timeouts.ts';
import { latin1Bytes } from './latin1.ts';
import { RawConnection } from './raw-connection.ts';

const PAGE_408 = latin1Bytes(pageText(builtinErrorResponse(408)));
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

export class RawFront implements RawFrontContext {
  readonly forward: OrdinaryForward<Http1Body> | undefined;
  readonly warn: (message: string) => void;
  readonly #listener: Deno.TcpListener;
  readonly #full: FullServer;
  readonly #rejected: (admission: Rejected, facts: ConnectionFacts) => void;
  readonly #connections = new Set<RawConnection>();
  #drained: (() => void) | undefined;
  readonly #sweep: ReturnType<typeof setInterval> | undefined;
  closing = false;

  /** `forward` undefined: every connection goes to the full server. */
  /** `rejected`: books a request `http-request reject` refused (its connection is closed here). */
  constructor(
    listener: Deno.TcpListener,
    forward: OrdinaryForward<Http1Body> | undefined,
    full: FullServer,
    limits: ClientLimits,
    rejected: (admission: Rejected, facts: ConnectionFacts) => void,
    warn: (message: string) => void,
  ) {
    this.#listener = listener;
    this.#rejected = rejected;
    this.forward = forward;
    this.#full = full;
    this.warn = warn;
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
    try {
      for await (const conn of this.#listener) {
        if (this.closing) conn.close();
        else this.#connections.add(new RawConnection(conn, this));
      }
    } catch {
      // The listener closed.
    }
  }

  handOver(connection: RawConnection, unread: Uint8Array, admission: Admission | undefined): Tunnel {
    if (admission?.kind !== 'reject') return this.#full.relay(connection.conn, connection.facts, unread, admission);
    // `http-request reject`: the connection closes with no answer, as haproxy's (Deno.serve would have to answer).
    this.#rejected(admission, connection.facts);
    connection.close();
    return NOWHERE;
  }

  forget(connection: RawConnection): void {
    this.#connections.delete(connection);
    if (this.closing && this.#connections.size === 0) this.#drained?.();
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
