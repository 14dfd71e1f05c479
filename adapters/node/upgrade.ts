/**
 * Node's `upgrade` event: a request with `Connection: upgrade` and an
 * `Upgrade` line, which Node's parser hands over with the raw socket. The
 * admission step decides as for any request (src/admission/), then
 * `forwardRequest` with its persistence, retries and counters sends it over
 * ./upgrade-upstream.ts:
 * - a 101: the socket becomes a tunnel (./tunnel.ts);
 * - anything else (a page, a stats answer, a server's 200): an ordinary
 *   HTTP/1.1 response on the socket (./upgrade-answer.ts), after which the socket goes back to the
 *   HTTP server with what the client pipelined, so the next request is read
 *   and answered (haproxy does; issue 15 item 10).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { BalancerApp } from '../../src/app.ts';
import { admitRequest, headerLinesOf } from '../../src/admission/admit-request.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import { forwardRequest } from '../../src/proxy/proxy-request.ts';
import { announcesBody, tunnelTimeout } from '../../src/proxy/upgrade.ts';
import type { StatsHandler } from './fast-path.ts';
import { clientAddressOf, connectionFactsOf } from './connection-facts.ts';
import { answerHere } from './answer-here.ts';
import { openTunnel } from './tunnel.ts';
import { createCompressor } from './compressed-body.ts';
import { closes, sendPage, writeResponseHead } from './response-head.ts';
import { answerAsHttp, replayWithoutUpgrade } from './upgrade-answer.ts';
import { upgradeUpstream } from './upgrade-upstream.ts';

export type UpgradeListener = (request: IncomingMessage, socket: Socket, head: Buffer, server: Server) => void;

export function createUpgradeListener(app: BalancerApp, entry: FrontendRuntime, deps: BalancerDeps, stats: StatsHandler): UpgradeListener {
  const { frontend } = entry;
  return (request, socket, head, server) => {
    const answer = (write: (response: ServerResponse) => boolean) => answerAsHttp(request, socket, head, server, write);
    const address = clientAddressOf(request.socket);
    const port = request.socket.remotePort;
    const lines = headerLinesOf(request.rawHeaders);
    if (announcesBody(lines)) return replayWithoutUpgrade(request, socket, head, server);
    const admission = admitRequest(
      app.state,
      entry,
      { method: request.method ?? 'GET', target: request.url ?? '/', headers: lines },
      connectionFactsOf(request.socket, request.httpVersion, address),
    );
    if (admission.kind === 'stats') return answer((response) => (stats(request, response, admission), false));
    if (admission.kind !== 'proxy') {
      const client = { address, port };
      return answerHere(admission, app.state, entry.counters, deps, client, (page) => answer((response) => sendPage(page, response)), () => socket.destroy());
    }

    // The client may leave while the server has not answered yet.
    const gone = new AbortController();
    const onGone = () => gone.abort();
    socket.once('close', onGone);
    void forwardRequest(
      {
        frontend,
        frontendCounters: entry.counters,
        runtime: admission.runtime,
        head: admission.head,
        body: null,
        client: { address, port },
        transaction: admission.transaction,
        rules: admission.rules,
        signal: gone.signal,
      },
      upgradeUpstream,
      deps,
    ).then(
      (outcome) => {
        socket.off('close', onGone);
        if (outcome.kind === 'page') {
          const replaced = outcome.serverBody;
          if (replaced) (replaced.kind === 'tunnel' ? replaced.socket : replaced.message).destroy();
          return answer((response) => sendPage(outcome.page, response));
        }
        const { body, onChunk, onClientChunk, onDone } = outcome;
        if (body?.kind === 'tunnel') {
          if (socket.destroyed) {
            body.socket.destroy();
            return onDone('CC');
          }
          const idleMs = tunnelTimeout(frontend.timeouts, admission.runtime.backend.timeouts);
          return openTunnel(socket, head, body.socket, body.head, outcome.head, {
            idleMs,
            onServerBytes: onChunk,
            onClientBytes: onClientChunk,
            onClosed: onDone,
          });
        }
        answer((response) => {
          writeResponseHead(response, outcome.head);
          // Over when written, or when the client left first (the server's body is dropped then).
          response.once('finish', () => onDone());
          socket.once('close', () => {
            if (body) body.message.destroy();
            onDone();
          });
          if (!body) return void response.end(), closes(outcome.head);
          body.message.once('error', () => socket.destroy());
          // A server that declined the upgrade answers as to any request, compression included.
          if (outcome.onServerChunk) body.message.on('data', (chunk: Buffer) => outcome.onServerChunk!(chunk.length));
          const out = outcome.coding ? body.message.pipe(createCompressor(outcome.coding)) : body.message;
          out.on('data', (chunk: Buffer) => onChunk(chunk.length));
          out.pipe(response);
          return closes(outcome.head);
        });
      },
      (error: unknown) => {
        deps.logger.warn(`upgrade: ${(error as Error).stack ?? String(error)}`);
        socket.destroy();
      },
    );
  };
}
