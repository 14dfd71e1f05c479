/**
 * The Deno fast path: a proxied request goes from `Deno.serve` through the
 * admission step (src/admission/) and `forwardRequest` to the HTTP/1.1
 * client, whose body, when it came whole with the head (the usual small
 * answer), becomes the `Response` body as it is: no Hono routing, no web
 * stream. Everything else the admission step decides (stats pages, rule
 * answers, `reject`, Prometheus) goes to the Hono app with that decision,
 * so the rules run once per request, as on Node (adapters/node/fast-path.ts).
 */
import type { Admission } from '../../src/admission/admit-request.ts';
import { admissionOf, proxyInputOf, type BalancerApp, type BalancerBindings } from '../../src/app.ts';
import type { FrontendRuntime } from '../../src/balancer/balancer-state.ts';
import type { BalancerDeps, Upstream } from '../../src/deps.ts';
import type { Http1Body } from '../../src/proxy/http1-client.ts';
import { fetchResponseOf, forwardRequest } from '../../src/proxy/proxy-request.ts';
import { builtinErrorResponse } from '../../src/proxy/error-pages.ts';
import { errorResponse } from '../../src/proxy/responses.ts';
import { withoutDuplicateClose } from './connection-close.ts';

/** What the handler knows of a request's connection: `src`, `dst`… and, for one handed over by the raw front, its decision. */
export interface RequestEnds {
  readonly clientAddress: string;
  readonly clientPort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly admission?: Admission;
}

export function createFastPathHandler(
  app: BalancerApp,
  entry: FrontendRuntime,
  upstream: Upstream<Http1Body | ReadableStream<Uint8Array>>,
  deps: BalancerDeps,
  endsOf: (info: Deno.ServeHandlerInfo<Deno.NetAddr>) => RequestEnds | undefined,
): Deno.ServeHandler<Deno.NetAddr> {
  const frontend = entry.frontend.name;
  return async (request, info) => {
    const ends = endsOf(info);
    // A connection to the raw front's loopback server that the raw front did not open.
    if (!ends) return errorResponse(builtinErrorResponse(403));
    const { admission: decided, ...connection } = ends;
    const env: BalancerBindings = { frontend, ...connection, ...(request.headers.has('host') ? {} : http2Head(request)) };
    const admission = decided ?? admissionOf(app.state, entry, request, env);
    if (admission.kind !== 'proxy') return withoutDuplicateClose(request, await app.fetch(request, { ...env, admission }));
    // The request's signal only for `option abortonclose`, as on Node: without
    // it haproxy lets the server's exchange run when the client leaves. And
    // Deno makes a signal once it is asked for, then aborts it after every
    // response (a DOMException and its stack each time: a tenth of the CPU).
    const signal = admission.runtime.backend.abortOnClose ? request.signal : undefined;
    const input = proxyInputOf(entry, admission, request, env, signal);
    return withoutDuplicateClose(request, fetchResponseOf(await forwardRequest(input, upstream, deps), input, deps));
  };
}

/**
 * An HTTP/2 request has `:authority`, not Host, and Deno's Request keeps no
 * Host for it: the server receives `host` from `:authority`, as haproxy sends
 * it, and rules see an HTTP/2 request (`req.ver` 2.0). (An HTTP/1.0 request
 * without Host looks the same here; Deno does not say which version it read.)
 */
function http2Head(request: Request): { rawHeaders: string[]; httpVersion: string } {
  return { rawHeaders: ['host', new URL(request.url).host, ...[...request.headers].flat()], httpVersion: '2.0' };
}
