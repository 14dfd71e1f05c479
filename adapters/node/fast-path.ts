/**
 * The Node fast path: proxied requests go from node:http straight to the
 * undici pool and back, with no Fetch `Request`/`Response`, `Headers` or web
 * stream in between (measured: those conversions cost most of the time per
 * request). The decisions are the very ones the Hono app makes — routing,
 * `forwardRequest` with its selection, persistence, retries and counters —
 * only the bytes travel differently. Stats pages, and anything the fast path
 * does not handle, go to the Hono app.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { BalancerApp } from '../../src/app.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { Upstream } from '../../src/deps.ts';
import type { BalancerDeps } from '../../src/deps.ts';
import { forwardRequest, type ProxyOutcome } from '../../src/proxy/proxy-request.ts';
import { chooseBackend, requestPath } from '../../src/routing/choose-backend.ts';
import { isStatsRequest } from '../../src/stats/stats-request.ts';
import type { UpstreamBody } from './upstream-body.ts';
import { requestBodyStream } from './web-stream.ts';

/** A v4 client on a dual-stack socket shows as ::ffff:a.b.c.d; HAProxy logs and forwards a.b.c.d. */
export function clientAddressOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function createFastPathListener(
  app: BalancerApp,
  entry: FrontendRuntime,
  upstream: Upstream<UpstreamBody>,
  deps: BalancerDeps,
  fallback: RequestListener,
): RequestListener {
  const { frontend } = entry;
  return (request, response) => {
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    if (isStatsRequest(frontend.stats, method, target)) return fallback(request, response);
    const headers = headerLines(request.rawHeaders);
    const backendName = chooseBackend(frontend, { path: requestPath(target), headers });
    const runtime = backendName === undefined ? undefined : app.state.backends.get(backendName);
    if (!runtime || isStatsRequest(runtime.backend.stats, method, target)) return fallback(request, response);

    void forwardRequest(
      {
        frontend,
        frontendCounters: entry.counters,
        runtime,
        head: { method, target, headers },
        body: hasBody(request) ? requestBodyStream(request) : null,
        client: { address: clientAddressOf(request), port: request.socket.remotePort },
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

function headerLines(raw: readonly string[]): [string, string][] {
  const lines: [string, string][] = new Array(raw.length >> 1);
  for (let i = 0; i + 1 < raw.length; i += 2) lines[i >> 1] = [raw[i]!, raw[i + 1]!];
  return lines;
}

/** A request has a body when it says so (RFC 9112 §6.3); GETs usually do not. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function flat(lines: readonly (readonly [string, string])[]): string[] {
  const out: string[] = new Array(lines.length * 2);
  lines.forEach(([name, value], i) => {
    out[2 * i] = name;
    out[2 * i + 1] = value;
  });
  return out;
}

function send(outcome: ProxyOutcome<UpstreamBody>, response: ServerResponse): void {
  if (outcome.kind === 'page') {
    const { page } = outcome;
    response.writeHead(page.status, flat(page.headers));
    response.end(page.body);
    return;
  }
  const { head, body, onChunk, onDone } = outcome;
  response.writeHead(head.status, flat(head.headers));
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
  body.pipeTo(response, onChunk);
}
