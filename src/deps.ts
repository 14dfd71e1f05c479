/**
 * What src/ needs from the runtime, injected by each adapter. Nothing in src/
 * touches a Node, Deno or Workers API directly; the adapters build these.
 */
import type { ServerTls } from './config/types.ts';
import type { CheckResult, HealthStore } from './health/types.ts';
import type { BodyCoding } from './proxy/compression.ts';
import type { AdminChange } from './stats/admin.ts';
import type { CounterReport } from './balancer/fleet-figures.ts';

export interface Clock {
  /** ms since epoch */
  now(): number;
}

export interface Timers {
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/** The platform's own clock and timers (every runtime has these globals). */
export const systemClock: Clock = { now: () => Date.now() };
export const globalTimers: Timers = {
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface Logger {
  /** Operational messages: health transitions, notices. */
  info(message: string): void;
  warn(message: string): void;
  /** One line per proxied request. */
  access(entry: AccessLogEntry): void;
  /** False when `access` writes nothing (`--log-format none`): the entries are then not built. */
  readonly writesAccess?: boolean;
}

export interface AccessLogEntry {
  readonly clientAddress: string;
  readonly clientPort?: number;
  /** ms since epoch when the request was accepted. */
  readonly acceptedAt: number;
  readonly frontend: string;
  readonly backend: string;
  /** Server that produced the response, or `<NOSRV>`. */
  readonly server: string;
  /** Time to get the response head from the server, ms (-1 if none). */
  readonly responseTime: number;
  /** Total time until the response head was sent to the client, ms. */
  readonly totalTime: number;
  readonly status: number;
  readonly retries: number;
  readonly redispatched: boolean;
  /** HAProxy-like termination state, e.g. `--`, `SC`, `sH`. */
  readonly termination: string;
  readonly method: string;
  readonly uri: string;
}

/** A request head as the proxy forwards it: header lines in order, duplicates kept. */
export interface RequestHead {
  readonly method: string;
  /** origin-form target: path and query */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
}

export interface ResponseHead {
  readonly status: number;
  /** Reason phrase a rule set (`set-status 200 reason Fine`, a rule's answer); else the runtime's usual one. */
  readonly reason?: string;
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * A server's answer. The body is a web stream by default; an adapter with a
 * faster native stream (Node's Readable) can use its own type end to end.
 */
export interface UpstreamResponse<Body = ReadableStream<Uint8Array>> extends ResponseHead {
  readonly body: Body | null;
  /**
   * Workers: the WebSocket a `101` Response carries (`fetch` with the upgrade
   * headers); handed back on the client's 101, it is the platform's way of
   * proxying a WebSocket.
   */
  readonly webSocket?: unknown;
}

export interface UpstreamTarget {
  readonly host: string;
  readonly port: number;
  /** `option httpclose`: one request per connection, no pooling. */
  readonly close: boolean;
  /** Present when the server is reached over TLS (`ssl`, or a check with `check-ssl`). */
  readonly tls?: UpstreamTls;
}

/** A server's TLS settings and the SNI of this connection. */
export interface UpstreamTls {
  readonly settings: ServerTls;
  /** `sni`'s value for this request (`check-sni` for a check); no SNI when absent, as HAProxy. */
  readonly servername?: string;
}

export interface UpstreamOptions {
  /** `timeout connect`, ms */
  readonly connectTimeout?: number;
  /** `timeout server`, ms: until the response head, and between body chunks. */
  readonly serverTimeout?: number;
  readonly signal?: AbortSignal;
}

/**
 * Why talking to a server failed. `refused`, `connect-timeout` and
 * `tls-handshake` (certificate refused, or no TLS server there) happen before
 * anything was sent, so the request may be retried; the others may not.
 * `tls-name-mismatch` (the certificate does not name the SNI or `verifyhost`)
 * happens before too, but is never retried: HAProxy 2.6 gives up at once
 * (CO_ER_SSL_MISMATCH_SNI) so a client's Host cannot provoke retries.
 */
export type UpstreamFailure = 'refused' | 'connect-timeout' | 'tls-handshake' | 'tls-name-mismatch' | 'timeout' | 'reset' | 'bad-response';

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  constructor(failure: UpstreamFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamError';
    this.failure = failure;
  }
}

/** Sends one request to one server. Adapters supply pooled implementations. */
export interface Upstream<Body = ReadableStream<Uint8Array>> {
  request(
    target: UpstreamTarget,
    head: RequestHead,
    body: ReadableStream<Uint8Array> | null,
    options: UpstreamOptions,
  ): Promise<UpstreamResponse<Body>>;
}

/**
 * A layer-4 probe (TCP connect), which the Fetch API cannot express; with
 * `tls`, a layer-6 one: the TLS handshake must complete (HAProxy's L6OK,
 * L6RSP "SSL handshake failure", L6TOUT).
 */
export interface TcpProbe {
  connect(host: string, port: number, timeoutMs: number, tls?: UpstreamTls): Promise<CheckResult>;
}

/**
 * A server's WebSocket (UpstreamResponse.webSocket) to hand to the client
 * whose request asked for it; the runtime relays the messages.
 */
export interface WebSocketUpgrade {
  /** The client's request (the Deno adapter upgrades it with its runtime's upgradeWebSocket). */
  readonly request: Request | undefined;
  /** The 101 head for the client, persistence cookie and rules applied. */
  readonly head: ResponseHead;
  /** The runtime's WebSocket to the server. */
  readonly server: unknown;
  /** Inactivity limit of the tunnel (`timeout tunnel` or its fallbacks), ms. */
  readonly idleMs: number | undefined;
  readonly onServerBytes: (bytes: number) => void;
  readonly onClientBytes: (bytes: number) => void;
  /** Runs once when the relay ends (the access-log line is written then). */
  readonly onClosed: (termination?: string) => void;
}

/**
 * Several copies of one balancer serving the same listeners (Node's
 * `nbthread` worker processes): a stats page any of them serves shows them
 * all, and an admin action taken in one applies in every one. The health
 * states come through the HealthStore.
 */
export interface FleetLink {
  /** Every copy's counters added up, by scope (src/balancer/fleet-figures.ts). */
  counters(): Promise<CounterReport>;
  /** Admin changes made here (stats form or API), for the other copies. */
  adminChanged(changes: readonly AdminChange[]): void;
  /** Signs the admin forms of sections without `adminTokenKey`: one key for every copy, so any of them accepts a form another served. */
  readonly adminTokenKey?: string;
  /** Seeds the keys of TLS session tickets: one secret for every copy, so a ticket one issued resumes on any other (HAProxy's threads share their keys). */
  readonly tlsTicketSecret?: string;
}

export interface BalancerDeps {
  readonly upstream: Upstream;
  /** Set when this balancer is one of several copies (see FleetLink). */
  readonly fleet?: FleetLink;
  /**
   * How this runtime answers with a server's WebSocket. Unset: Workers' way,
   * a 101 Response with the `webSocket` (the platform relays, unseen).
   */
  readonly acceptWebSocket?: (upgrade: WebSocketUpgrade) => Response;
  /**
   * `compression`'s byte transform for responses sent as Fetch `Response`s:
   * must flush after each chunk (a stream's events reach the client as they
   * come). Unset: the Web `CompressionStream` (src/proxy/compress-stream.ts).
   */
  readonly compressBody?: (body: ReadableStream<Uint8Array>, coding: BodyCoding) => ReadableStream<Uint8Array>;
  /**
   * Set where the platform encodes what the balancer returns itself,
   * negotiating with the client (Workers: the Worker sees a normalised
   * Accept-Encoding, never the client's). It receives the Response whose head
   * asks for the coding, with the body as the server sent it, and returns
   * the one to send; `compressBody` is then not used.
   */
  readonly platformEncodes?: (response: Response) => Response;
  readonly tcpProbe: TcpProbe;
  readonly healthStore: HealthStore;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  /**
   * The runtime's environment, for `env(NAME)` in rules: Node's and Deno's
   * process environment, a Worker's string bindings. Unset: `env()` finds nothing.
   */
  readonly environment?: (name: string) => string | undefined;
}
