/**
 * `createBalancer(config, deps)`: the whole balancer as a Hono app over the
 * Fetch API. Adapters serve it; users can also mount it in their own Hono app.
 */
import { recordAnswer } from './admission/answer-log.ts';
import { Hono } from 'hono';
import type { Config } from './config/types.ts';
import type { TlsFacts } from './rules/transaction.ts';
import type { BalancerDeps } from './deps.ts';
import { BalancerState, type FrontendRuntime } from './balancer/balancer-state.ts';
import { admitRequest, headerLinesOf, prometheusAnswer, type Admission, type ReceivedHead } from './admission/admit-request.ts';
import { proxyRequest, type ProxyInput } from './proxy/proxy-request.ts';
import { builtinErrorResponse } from './proxy/error-pages.ts';
import { errorResponse } from './proxy/responses.ts';
import { createStatsService } from './stats/stats-service.ts';
import { countersLookup } from './balancer/fleet-figures.ts';

/** What an adapter tells the app about a request, beyond the Fetch `Request`. */
export interface BalancerBindings {
  /** Name of the frontend whose listener accepted the request (default: the first one). */
  readonly frontend?: string;
  readonly clientAddress?: string;
  readonly clientPort?: number;
  /** The address and port the client connected to (`dst`, `dst_port`), when the runtime knows them. */
  readonly localAddress?: string;
  readonly localPort?: number;
  /** The client's HTTP version (`1.0`, `1.1`) when the runtime knows it; default `1.1`. */
  readonly httpVersion?: string;
  /**
   * The request's header lines as received (name, value, name, value, …).
   * Fetch's `Headers` merges repeated lines; HAProxy keeps them, so runtimes
   * that have the raw lines pass them here.
   */
  readonly rawHeaders?: readonly string[];
  /**
   * The request-target as received (`/a/../b?x`). A Fetch `Request`'s URL is
   * normalised (`/b?x`) and built from Host; HAProxy forwards and matches the
   * target unchanged. Without it the target comes from the URL, once Host is
   * known not to have bent it (src/admission/rebuilt-target.ts).
   */
  readonly rawTarget?: string;
  /** The TLS connection's facts (`ssl_fc_sni`, `ssl_fc_protocol`…) when the adapter knows more than the URL's scheme. */
  readonly tls?: TlsFacts;
  /**
   * The decision the adapter's own admission step already took for this
   * request (Node's fast path hands stats requests over with it), so the
   * rules run once per request.
   */
  readonly admission?: Admission;
}

/**
 * The Hono app, plus its live state: adapters hand `state` to the health
 * checks, which need each server's admin state as well as its health.
 */
export type BalancerApp = Hono<{ Bindings: BalancerBindings }> & { readonly state: BalancerState };

export function createBalancer(config: Config, deps: BalancerDeps): BalancerApp {
  const state = new BalancerState(config, deps.healthStore, deps.clock.now(), deps.environment);
  const firstFrontend = state.frontends.values().next().value as FrontendRuntime | undefined;
  const stats = createStatsService(state, deps);

  const app = Object.assign(new Hono<{ Bindings: BalancerBindings }>(), { state });
  app.all('*', async (c) => {
    const env: BalancerBindings = c.env ?? {};
    const entry = env.frontend ? state.frontends.get(env.frontend) : firstFrontend;
    if (!entry) return errorResponse(builtinErrorResponse(503));

    const request = c.req.raw;
    const admission = env.admission ?? admissionOf(state, entry, request, env);
    switch (admission.kind) {
      case 'answer': {
        const startedAt = deps.clock.now();
        if (admission.delayMs) await new Promise<void>((resolve) => deps.timers.setTimeout(resolve, admission.delayMs!));
        recordAnswer(deps, entry.counters, admission, { address: env.clientAddress ?? '', port: env.clientPort }, startedAt);
        return errorResponse(admission.response);
      }
      case 'reject':
        // A Fetch handler cannot drop its connection; the closest is HAProxy's
        // 403 page with `connection: close` (see README, "Differs from HAProxy").
        recordAnswer(deps, entry.counters, admission, { address: env.clientAddress ?? '', port: env.clientPort }, deps.clock.now(), 403);
        return errorResponse(builtinErrorResponse(403));
      case 'prometheus': {
        const counters = deps.fleet ? countersLookup(await deps.fleet.counters()) : undefined;
        recordAnswer(deps, entry.counters, admission, { address: env.clientAddress ?? '', port: env.clientPort }, deps.clock.now());
        return errorResponse(prometheusAnswer(state, admission, deps.clock.now(), counters));
      }
      case 'stats':
        return (
          stats.serve(admission.stats, entry, request, env.clientAddress, admission.transaction.request.target) ??
          errorResponse(builtinErrorResponse(503))
        );
      case 'proxy':
        return proxyRequest(proxyInputOf(entry, admission, request, env, request.signal), deps);
    }
  });
  return app;
}

/**
 * The admission step for a Fetch `Request` and what the adapter knows of it
 * (the app's, and the Deno fast path's before it hands the rest to the app).
 */
export function admissionOf(state: BalancerState, entry: FrontendRuntime, request: Request, env: BalancerBindings): Admission {
  return admitRequest(state, entry, receivedHead(request, env), {
    clientAddress: env.clientAddress ?? '',
    clientPort: env.clientPort,
    ...(env.localAddress !== undefined ? { localAddress: env.localAddress } : {}),
    ...(env.localPort !== undefined ? { localPort: env.localPort } : {}),
    httpVersion: env.httpVersion ?? '1.1',
    // Workers, Deno (and a host app behind TLS) see the client's scheme in
    // the URL: `ssl_fc` must hold there, or `redirect scheme https if !{ ssl_fc }`
    // would redirect https requests to themselves forever. The platform
    // terminated TLS: `ssl_fc_sni` is the name the request was sent to.
    ...(env.tls ? { tls: env.tls } : request.url.startsWith('https:') ? { tls: { sni: new URL(request.url).hostname } } : {}),
  });
}

/** What `forwardRequest` needs for a proxied Fetch `Request`; `signal`: ProxyInput's. */
export function proxyInputOf(
  entry: FrontendRuntime,
  admission: Extract<Admission, { kind: 'proxy' }>,
  request: Request,
  env: BalancerBindings,
  signal: AbortSignal | undefined,
): ProxyInput {
  return {
    frontend: entry.frontend,
    frontendCounters: entry.counters,
    runtime: admission.runtime,
    head: admission.head,
    body: request.body,
    client: { address: env.clientAddress ?? '', port: env.clientPort },
    ...(signal ? { signal } : {}),
    transaction: admission.transaction,
    rules: admission.rules,
    request,
  };
}

function receivedHead(request: Request, env: BalancerBindings): ReceivedHead {
  const headers = env.rawHeaders ? headerLinesOf(env.rawHeaders) : [...request.headers];
  return env.rawTarget === undefined
    ? { method: request.method, target: request.url, headers, rebuilt: true }
    : { method: request.method, target: env.rawTarget, headers };
}
