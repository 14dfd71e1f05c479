/**
 * Forwards one request to a server of a backend, HAProxy's way: persistence
 * cookie first, then the balancing algorithm; retries and redispatch on a
 * failed connection; cookie and connection headers rewritten on the way back.
 * The decisions are made on method, target and header lines (see
 * ./request-plan.ts and ../persistence), never on Request/Response objects,
 * so another front end (a Node fast path) can reuse them.
 */
import type { CompressionAlgorithm, Frontend } from '../config/types.ts';
import {
  UpstreamError,
  type AccessLogEntry,
  type BalancerDeps,
  type RequestHead,
  type ResponseHead,
  type Upstream,
  type UpstreamResponse,
  type WebSocketUpgrade,
} from '../deps.ts';
import type { BackendRuntime } from '../balancer/backend-runtime.ts';
import { countRequestEnd, countRequestStart, countResponseStatus, type TrafficCounters } from '../balancer/counters.ts';
import { backendErrorPage, statusForFailure, type ErrorResponse } from './error-pages.ts';
import { ReplayableBody } from './replayable-body.ts';
import { decideRetry } from './retry-policy.ts';
import { planRequest } from './request-plan.ts';
import { responseHeadForClient } from '../admission/response-step.ts';
import type { RuleEnvironment } from '../rules/sample.ts';
import type { HttpTransaction } from '../rules/transaction.ts';
import { acceptWebSocketAsWorkers, bytesResponse, errorResponse, streamOf, streamResponse } from './responses.ts';
import { tunnelTimeout } from './upgrade.ts';
import { compressWithStream } from './compress-stream.ts';
import type { BodyCoding } from './compression.ts';

export interface ClientInfo {
  readonly address: string;
  readonly port?: number;
}

export interface ProxyInput {
  readonly frontend: Frontend;
  readonly runtime: BackendRuntime;
  readonly head: RequestHead;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly client: ClientInfo;
  /** The runtime cancelled the request (a Fetch request's `signal`): the server's request is aborted. */
  readonly signal?: AbortSignal;
  /**
   * Aborts when the client closes its side of the connection (FIN or close)
   * before the response: with `option abortonclose` the server's request is
   * aborted then, otherwise it is not (a half-closed client still reads).
   */
  readonly clientLeft?: AbortSignal;
  /** The frontend's counters, bumped alongside the backend's and the server's. */
  readonly frontendCounters: TrafficCounters;
  /** The admission step's transaction, which the `http-response` rules read and rewrite. */
  readonly transaction?: HttpTransaction;
  /** What the `http-response` rules read (the admission step's). */
  readonly rules?: RuleEnvironment;
  /** The client's Fetch request, when there is one (a WebSocket upgrade needs it on Deno). */
  readonly request?: Request;
}

/**
 * How a request ended, for the front end to send: one of HAProxy's pages, or
 * the server's response head and body. `onChunk` must see every body chunk's
 * size and `onDone` must run once when the body ends, fails or the client
 * goes away (counters and stats depend on it). After a `101` the body is the
 * tunnel: `onChunk` counts what the server sends, `onClientChunk` what the
 * client sends, and `onDone` runs when the tunnel closes, which is when the
 * access-log line is written (with the tunnel's duration, as haproxy logs it).
 */
export type ProxyOutcome<Body> =
  /**
   * `serverBody`: a server's response that a page replaced (`http-response
   * deny|return|redirect`); the front end discards it unread.
   */
  | { readonly kind: 'page'; readonly page: ErrorResponse; readonly serverBody?: Body | null }
  | {
      readonly kind: 'stream';
      readonly head: ResponseHead;
      readonly body: Body | null;
      /**
       * The body goes to the client compressed with this (`compression`; the
       * head says so already); the front end reports the server's bytes that
       * go into the compressor to `onServerChunk`, and what comes out to `onChunk`.
       */
      readonly coding?: BodyCoding;
      readonly onServerChunk?: (bytes: number) => void;
      /** Workers' WebSocket of a 101 (see UpstreamResponse). */
      readonly webSocket?: unknown;
      readonly onChunk: (bytes: number) => void;
      readonly onClientChunk: (bytes: number) => void;
      /** `termination`: HAProxy's two-letter state for a tunnel's end (`--` when unsaid). */
      readonly onDone: (termination?: string) => void;
    };

/** Rough size of a request or response head on the wire, for bin/bout. */
function headBytes(headers: RequestHead['headers'], firstLine: number): number {
  let bytes = firstLine + 2;
  for (const [name, value] of headers) bytes += name.length + value.length + 4;
  return bytes;
}

/** `forwardRequest` over the Fetch API: the outcome as a `Response`. */
export async function proxyRequest(input: ProxyInput, deps: BalancerDeps): Promise<Response> {
  return fetchResponseOf(await forwardRequest(input, deps.upstream, deps), input, deps);
}

/**
 * A forwarding outcome as a Fetch `Response`: a page, the WebSocket relay,
 * or the server's response, its body streamed (compressed when asked) or,
 * when the upstream handed over the whole body as bytes, in one piece.
 */
export function fetchResponseOf(
  outcome: ProxyOutcome<ReadableStream<Uint8Array> | Uint8Array>,
  input: ProxyInput,
  deps: BalancerDeps,
): Response {
  if (outcome.kind === 'page') {
    if (outcome.serverBody instanceof ReadableStream) void outcome.serverBody.cancel().catch(() => {});
    return errorResponse(outcome.page);
  }
  if (outcome.webSocket !== undefined) {
    const upgrade: WebSocketUpgrade = {
      request: input.request,
      head: outcome.head,
      server: outcome.webSocket,
      idleMs: tunnelTimeout(input.frontend.timeouts, input.runtime.backend.timeouts),
      onServerBytes: outcome.onChunk,
      onClientBytes: outcome.onClientChunk,
      onClosed: outcome.onDone,
    };
    return (deps.acceptWebSocket ?? acceptWebSocketAsWorkers)(upgrade);
  }
  // A runtime that cannot relay this tunnel (Deno's fetch path, an upgrade
  // other than WebSocket): the server's 101 cannot be passed on.
  if (outcome.head.status === 101) {
    outcome.onDone();
    return errorResponse(backendErrorPage(input.runtime.backend, 502));
  }
  const { coding } = outcome;
  if (!coding && outcome.body instanceof Uint8Array) return bytesResponse(outcome.head, outcome.body, outcome.onChunk, outcome.onDone);
  const body = outcome.body instanceof Uint8Array ? streamOf(outcome.body) : outcome.body;
  if (!coding || !body) return streamResponse(outcome.head, body, outcome.onChunk, outcome.onDone);
  // The platform's compressed bytes are out of sight: bout counts what it was given.
  if (deps.platformEncodes) return deps.platformEncodes(streamResponse(outcome.head, counted(body, outcome.onServerChunk), outcome.onChunk, outcome.onDone));
  const compressed = (deps.compressBody ?? compressWithStream)(counted(body, outcome.onServerChunk), coding);
  return streamResponse(outcome.head, compressed, outcome.onChunk, outcome.onDone);
}

/** `body`, with each chunk's size reported to `onChunk` as it passes. */
function counted(body: ReadableStream<Uint8Array>, onChunk: ((bytes: number) => void) | undefined): ReadableStream<Uint8Array> {
  if (!onChunk) return body;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onChunk(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * What `forwardRequest` keeps of a request for its books (counters and the
 * access-log line), one object per request rather than closures over it.
 */
interface RequestRecord {
  readonly deps: BalancerDeps;
  readonly input: ProxyInput;
  readonly acceptedAt: number;
  /** The request head's size, for bin. */
  readonly inBytes: number;
  readonly body: ReplayableBody;
}

/** The access-log line of a request, when the logger writes one (`--log-format none` does not: nothing is built). */
function logAccess(record: RequestRecord, fields: Partial<AccessLogEntry> & Pick<AccessLogEntry, 'status' | 'server' | 'termination'>): void {
  const { deps, input, acceptedAt } = record;
  if (deps.logger.writesAccess === false) return;
  deps.logger.access({
    clientAddress: input.client.address,
    clientPort: input.client.port,
    acceptedAt,
    frontend: input.frontend.name,
    backend: input.runtime.backend.name,
    responseTime: -1,
    totalTime: deps.clock.now() - acceptedAt,
    retries: 0,
    redispatched: false,
    method: input.head.method,
    uri: input.head.target,
    ...fields,
  });
}

/** Answers with an error page and closes the books on this request (`server`: its counters too, when one was tried). */
async function fail<Body>(
  record: RequestRecord,
  status: number,
  fields: Partial<AccessLogEntry> & Pick<AccessLogEntry, 'server' | 'termination'>,
): Promise<ProxyOutcome<Body>> {
  const { body, input } = record;
  await body.discard();
  const page = backendErrorPage(input.runtime.backend, status);
  for (const c of [input.frontendCounters, input.runtime.counters]) {
    countResponseStatus(c, page.status);
    c.bytesIn += record.inBytes + body.bytesRead;
    c.bytesOut += page.body.length;
    countRequestEnd(c);
  }
  logAccess(record, { status: page.status, ...fields });
  return { kind: 'page', page };
}

/** The server's request is aborted when the runtime cancels it, and with `option abortonclose` when the client leaves too. */
function serverRequestSignal(input: ProxyInput): AbortSignal | undefined {
  if (!input.runtime.backend.abortOnClose || !input.clientLeft) return input.signal;
  return input.signal ? AbortSignal.any([input.signal, input.clientLeft]) : input.clientLeft;
}

/** `option abortonclose`: the client left (HAProxy then answers 400 and logs `CH`). */
function clientAborted(input: ProxyInput): boolean {
  return input.runtime.backend.abortOnClose === true && (input.signal?.aborted === true || input.clientLeft?.aborted === true);
}

/**
 * The whole forwarding decision and bookkeeping, independent of how bytes
 * reach the client: `upstream` may hand back any body type, which is passed
 * through untouched.
 */
export async function forwardRequest<Body>(
  input: ProxyInput,
  upstream: Upstream<Body>,
  deps: BalancerDeps,
): Promise<ProxyOutcome<Body>> {
  const { frontend, runtime, head, client } = input;
  const backend = runtime.backend;
  const acceptedAt = deps.clock.now();
  const inBytes = headBytes(head.headers, head.method.length + head.target.length + 10);
  countRequestStart(input.frontendCounters, acceptedAt);
  countRequestStart(runtime.counters, acceptedAt);
  const plan = planRequest(runtime, frontend, head, client.address, acceptedAt, input.transaction?.conn.httpVersion, input.transaction, input.rules);
  const body = new ReplayableBody(input.body);
  const record: RequestRecord = { deps, input, acceptedAt, inBytes, body };
  const signal = serverRequestSignal(input);

  if (plan.server === undefined) return fail(record, 503, { server: '<NOSRV>', termination: 'SC' });

  let server = plan.server;
  let direct = plan.direct;
  let retriesMade = 0;
  let redispatched = false;
  countRequestStart(runtime.serverCounters[server]!, acceptedAt);
  for (;;) {
    const serverCounters = runtime.serverCounters[server]!;
    let response: UpstreamResponse<Body>;
    try {
      response = await upstream.request(plan.target(server), plan.head, body.forAttempt(), {
        connectTimeout: backend.timeouts.connect,
        serverTimeout: backend.timeouts.server,
        signal,
      });
    } catch (error) {
      if (clientAborted(input)) {
        countRequestEnd(serverCounters);
        return fail(record, 400, { server: runtime.servers[server]!.name, termination: 'CH', retries: retriesMade, redispatched });
      }
      const failure = error instanceof UpstreamError ? error.failure : 'bad-response';
      const connectionFailed = failure === 'refused' || failure === 'connect-timeout' || failure === 'tls-handshake' || failure === 'tls-name-mismatch';
      for (const c of [serverCounters, runtime.counters]) {
        if (connectionFailed) c.connectionErrors++;
        else c.responseErrors++;
      }
      const decision =
        connectionFailed && failure !== 'tls-name-mismatch' && body.replayable
          ? decideRetry({
              retriesMade,
              retries: backend.retries,
              redispatch: backend.redispatch,
              direct,
              serverStillUsable: runtime.isUsable(server),
              algorithm: backend.balance,
              usableActiveServers: runtime.usableActiveCount(),
              // A refused certificate is a connection error too: haproxy 2.6
              // retried a server with the wrong CA after 1 s pauses (503 at 3 s).
              connectionError: failure === 'refused' || failure === 'tls-handshake',
              connectTimeout: backend.timeouts.connect,
            })
          : ({ action: 'give-up' } as const);
      if (decision.action === 'give-up') {
        countRequestEnd(serverCounters);
        return fail(record, statusForFailure(failure), {
          server: runtime.servers[server]!.name,
          termination: failure === 'timeout' ? 'sH' : 'SC',
          // HAProxy spends the retries at once on a name mismatch (and logs them).
          retries: failure === 'tls-name-mismatch' ? backend.retries : retriesMade,
          redispatched,
        });
      }
      retriesMade++;
      serverCounters.retries++;
      runtime.counters.retries++;
      if (decision.delayMs > 0) await new Promise<void>((resolve) => deps.timers.setTimeout(resolve, decision.delayMs));
      if (decision.action === 'redispatch') {
        const next = runtime.selectServer(server);
        if (next !== undefined && next !== server) {
          redispatched = true;
          serverCounters.redispatches++;
          runtime.counters.redispatches++;
          countRequestEnd(serverCounters);
          server = next;
          countRequestStart(runtime.serverCounters[server]!, deps.clock.now());
        }
        direct = false;
      }
      continue;
    }

    body.release();
    const all = [input.frontendCounters, runtime.counters, serverCounters] as const;
    const serverName = runtime.servers[server]!.name;
    const forClient = responseHeadForClient(plan, frontend, server, direct, response, input.transaction, input.rules);
    if (forClient.kind === 'page') {
      const page = forClient.page;
      for (const c of all) {
        // The server is credited with what it answered, the frontend and backend with what the client got (haproxy 2.6, observed).
        countResponseStatus(c, c === serverCounters ? response.status : page.status);
        if (forClient.denied) c.deniedResponses++;
        c.bytesIn += inBytes + body.bytesRead;
        c.bytesOut += page.body.length;
        countRequestEnd(c);
      }
      logAccess(record, { status: page.status, server: serverName, termination: '--', retries: retriesMade, redispatched, responseTime: deps.clock.now() - acceptedAt });
      return { kind: 'page', page, serverBody: response.body };
    }
    for (const c of all) countResponseStatus(c, response.status);
    // A tunnel (101) is logged when it closes, with its duration; anything else now.
    const tunnel = response.status === 101;
    const entry: AccessLogEntry | undefined =
      tunnel || deps.logger.writesAccess !== false
        ? {
            clientAddress: client.address,
            clientPort: client.port,
            acceptedAt,
            frontend: frontend.name,
            backend: backend.name,
            responseTime: deps.clock.now() - acceptedAt,
            totalTime: 0,
            retries: retriesMade,
            redispatched,
            method: head.method,
            uri: head.target,
            status: response.status,
            server: serverName,
            termination: '--',
          }
        : undefined;
    if (entry && !tunnel) deps.logger.access({ ...entry, totalTime: deps.clock.now() - acceptedAt });
    return streamOutcome(response, forClient.head, forClient.compression, all, inBytes, body, tunnel ? entry : undefined, deps);
  }
}

/**
 * The server's response as the front end sends it, with the byte counts and
 * the end of one response (or tunnel), in a scope of its own: a tunnel may
 * live for hours, and its callbacks keep alive only these (not the request
 * and response heads: measured per idle tunnel). `inBytes` is the request
 * head; `body` says how much of the body was read by the end.
 */
function streamOutcome<Body>(
  response: UpstreamResponse<Body>,
  head: ResponseHead,
  compression: CompressionAlgorithm | undefined,
  all: readonly TrafficCounters[],
  inBytes: number,
  body: ReplayableBody,
  tunnelEntry: AccessLogEntry | undefined,
  deps: BalancerDeps,
): Extract<ProxyOutcome<Body>, { kind: 'stream' }> {
  const outBytes = headBytes(head.headers, 17);
  let done = false;
  // What the client receives also counts as the compressor's output (comp_out), or as bypassed by identity (comp_byp).
  const alsoCounted = compression === undefined ? undefined : compression === 'identity' ? 'compressionBypassed' : 'compressedOut';
  // Absent fields are present as undefined: one object of one shape, no spread of temporaries.
  return {
    kind: 'stream',
    head,
    body: response.body,
    coding: compression === 'identity' ? undefined : compression,
    webSocket: response.webSocket,
    onChunk:
      alsoCounted === undefined
        ? (bytes) => {
            for (const c of all) c.bytesOut += bytes;
          }
        : (bytes) => {
            for (const c of all) {
              c.bytesOut += bytes;
              c[alsoCounted] += bytes;
            }
          },
    onServerChunk:
      alsoCounted === 'compressedOut'
        ? (bytes: number) => {
            for (const c of all) c.compressedIn += bytes;
          }
        : undefined,
    onClientChunk: (bytes) => {
      for (const c of all) c.bytesIn += bytes;
    },
    onDone: (termination = '--') => {
      if (done) return;
      done = true;
      const read = inBytes + body.bytesRead;
      for (const c of all) {
        c.bytesIn += read;
        c.bytesOut += outBytes;
        if (compression !== undefined) c.compressedResponses++;
        countRequestEnd(c);
      }
      if (tunnelEntry) deps.logger.access({ ...tunnelEntry, totalTime: deps.clock.now() - tunnelEntry.acceptedAt, termination });
    },
  };
}
