/**
 * The Node fast path: proxied requests go from node:http straight to the
 * undici pool and back, with no Fetch `Request`/`Response`, `Headers` or web
 * stream in between (measured: those conversions cost most of the time per
 * request). What becomes of a request is the admission step's decision
 * (src/admission/), the very one the Hono app acts on; then `forwardRequest`
 * with its selection, persistence, retries and counters. Only the bytes
 * travel differently. Stats pages go to the Hono app.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { BalancerApp } from '../../src/app.ts';
import { admitRequest, headerLinesOf, type Admission } from '../../src/admission/admit-request.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { Upstream } from '../../src/deps.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import { forwardRequest, type ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { answerHere } from './answer-here.ts';
import { admissionHandedOver } from './raw-forward.ts';
import { connectionFactsOf } from './connection-facts.ts';
import { pipeCompressed } from './compressed-body.ts';
import { sendPage, writeResponseHead } from './response-head.ts';
import type { UpstreamBody } from './upstream-body.ts';
import { requestBodyStream } from './web-stream.ts';

/** Serves a request the admission step gave to the stats page (the Hono app, with that decision). */
export type StatsHandler = (request: IncomingMessage, response: ServerResponse, admission: Admission) => void;

export function createFastPathListener(
  app: BalancerApp,
  entry: FrontendRuntime,
  upstream: Upstream<UpstreamBody>,
  deps: BalancerDeps,
  serveStats: StatsHandler,
): RequestListener {
  const { frontend } = entry;
  return (request, response) => {
    const conn = connectionFactsOf(request.socket, request.httpVersion);
    const admission = admissionHandedOver(request.socket) ?? admitRequest(
      app.state,
      entry,
      { method: request.method ?? 'GET', target: request.url ?? '/', headers: headerLinesOf(request.rawHeaders) },
      conn,
    );
    if (admission.kind === 'stats') return serveStats(request, response, admission);
    if (admission.kind !== 'proxy') {
      const client = { address: conn.clientAddress, port: conn.clientPort };
      return answerHere(admission, app.state, entry.counters, deps, client, (page) => sendPage(page, response), () => request.socket.destroy());
    }

    void forwardRequest(
      {
        frontend,
        frontendCounters: entry.counters,
        runtime: admission.runtime,
        head: admission.head,
        body: hasBody(request) ? requestBodyStream(request) : null,
        client: { address: conn.clientAddress, port: conn.clientPort },
        clientLeft: admission.runtime.backend.abortOnClose ? clientLeftSignal(request, response) : undefined,
        transaction: admission.transaction,
        rules: admission.rules,
      },
      upstream,
      deps,
    ).then(
      (outcome) => send(outcome, response),
      (error: unknown) => {
        deps.logger.warn(`fast path: ${(error as Error).stack ?? String(error)}`);
        response.destroy();
      },
    );
  };
}

/**
 * Aborts when the client's connection ends its sending side (FIN: the
 * listener allows half-open sockets) or closes, while this response is not
 * over; `option abortonclose` acts on it in src.
 */
function clientLeftSignal(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const left = new AbortController();
  const socket = request.socket;
  const leave = () => left.abort();
  const done = () => {
    socket.off('end', leave);
    socket.off('close', leave);
  };
  // A FIN that came with the request itself has been read already.
  if (socket.readableEnded || socket.destroyed) left.abort();
  socket.once('end', leave);
  socket.once('close', leave);
  response.once('close', done);
  return left.signal;
}

/** A request has a body when it says so (RFC 9112 §6.3); GETs usually do not. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function send(outcome: ProxyOutcome<UpstreamBody>, response: ServerResponse): void {
  if (outcome.kind === 'page') {
    outcome.serverBody?.destroy();
    sendPage(outcome.page, response);
    return;
  }
  const { head, body, coding, onChunk, onServerChunk, onDone } = outcome;
  writeResponseHead(response, head);
  if (!body) {
    response.end();
    onDone();
    return;
  }
  // Emitted once, when the response is over or the client went away before
  // the body ended (then the server's body is stopped).
  response.on('close', () => {
    body.destroy();
    onDone();
  });
  if (coding) pipeCompressed(body, response, coding, onChunk, onServerChunk);
  else body.pipeTo(response, onChunk);
}
