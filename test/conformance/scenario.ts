/**
 * What a conformance scenario is, as data: a configuration, requests in
 * order, and what each answer and backend must show. Placeholders in the
 * configuration: `${PORT}` and `${STATS}` for listeners, `${S1}`… for the
 * echo backends (in `backends` order), `${DEAD}` for a port nobody listens
 * on, `${CLOSES}` for a server that accepts and hangs up without answering.
 */
export type RuntimeName = 'Node' | 'Deno' | 'Workers' | 'haproxy';

export interface Expectation {
  readonly status?: number;
  /** The echo backend that answered (its JSON body names it). */
  readonly servedBy?: string;
  /** Every Set-Cookie line, exactly and in order. */
  readonly setCookie?: readonly string[];
  /**
   * Response headers by lower-case name: the values joined with `, ` (RFC
   * 9110 §5.3 makes repeated lines and one joined line equivalent, and the
   * Fetch API joins them), or `null` when the header must be absent.
   */
  readonly headers?: Readonly<Record<string, string | null>>;
  /** Request header lines the backend received, by lower-case name, exactly. */
  readonly backendHeaders?: Readonly<Record<string, readonly string[]>>;
  /** False: the answer came from the proxy and no echo backend saw the request. */
  readonly reachesBackend?: boolean;
  readonly body?: string;
  /** Patterns the body must match (multiline). */
  readonly bodyMatches?: readonly RegExp[];
  /**
   * The body arrived as the echo backend gzipped it, byte for byte: a gzip
   * stream of exactly `content-length` bytes (`servedBy` and
   * `backendHeaders` are read from what it inflates to).
   */
  readonly gzipped?: boolean;
  /**
   * The proxy compressed the body (`compression`) with this coding: no
   * Content-Length, and it inflates to the echo backend's reply.
   */
  readonly compressed?: 'gzip' | 'deflate';
}

/** A WebSocket opened instead of an HTTP request (the echo backends greet and echo). */
export interface WebSocketStep {
  readonly protocols?: readonly string[];
  /** Sent one after the other; each must come back as sent (text, or binary when a Uint8Array). */
  readonly messages?: readonly (string | Uint8Array)[];
  /** The subprotocol the client must end up with ('' for none). */
  readonly protocol?: string;
  /** The close code and reason the client sends; the server must see them. */
  readonly close?: readonly [number, string];
}

export interface Step {
  readonly path?: string;
  /** Open a WebSocket to `path` instead; `expect.setCookie` then reads the 101, `servedBy` the greeting. */
  readonly webSocket?: WebSocketStep;
  /** Extra request header lines, in order. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly cookie?: string;
  /** `user:password` for basic auth. */
  readonly auth?: string;
  readonly port?: 'PORT' | 'STATS';
  /**
   * Repeat the request until the expectation holds (bounded), for a state
   * that changes on its own: a health check marking a server DOWN.
   */
  readonly eventually?: boolean;
  readonly expect: Expectation;
}

/** Why a runtime behaves otherwise on purpose, and what it does instead. */
export interface Difference {
  readonly why: string;
  /** The steps that hold on this runtime instead; without them the scenario is not run there. */
  readonly steps?: readonly Step[];
}

export interface Scenario {
  readonly name: string;
  readonly config: string;
  /** Names of the echo backends `${S1}`, `${S2}`… */
  readonly backends: readonly string[];
  /** A configuration every runtime must refuse; the error must mention `mentions`. */
  readonly invalid?: { readonly mentions: string };
  readonly steps: readonly Step[];
  readonly differs?: Partial<Record<RuntimeName, Difference>>;
}

/** Timeouts every scenario starts from, short enough to keep failures quick. */
export const DEFAULTS = `defaults
    mode http
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
`;

/** HAProxy's 503 page, byte for byte. */
export const PAGE_503 =
  '<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n';
export const PAGE_502 =
  '<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n';
export const PAGE_504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n";
export const PAGE_401 =
  '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';

/** The headers HAProxy puts on every error page it generates. */
export const ERROR_PAGE_HEADERS = { 'cache-control': 'no-cache', connection: 'close', 'content-type': 'text/html' } as const;

/** A query string that makes the echo backend answer with these headers. */
export function answerWith(headers: Readonly<Record<string, string | readonly string[]>>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(headers)) for (const v of [value].flat()) query.append(name, v);
  return `/?${query}`;
}

/** The same steps without any expectation on header `name`, neither in the answer nor at the backend. */
export function ignoringHeader(steps: readonly Step[], name: string): Step[] {
  const without = <T>(record: Readonly<Record<string, T>> | undefined) =>
    record && Object.fromEntries(Object.entries(record).filter(([key]) => key !== name));
  return steps.map((step) => ({
    ...step,
    expect: { ...step.expect, headers: without(step.expect.headers), backendHeaders: without(step.expect.backendHeaders) },
  }));
}

/** Why a Worker's exchanges carry no `Connection` header of the app's choosing. */
export const WORKERS_CONNECTION =
  'in workerd the platform owns the connections on both sides and drops a Connection header that a Worker sets, on its answer as on its fetch to a server, so these steps are checked without it';
