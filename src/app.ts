/**
 * `createBalancer(config, deps)`: the whole balancer as a Hono app over the
 * Fetch API. Adapters serve it; users can also mount it in their own Hono app.
 */
import { Hono } from 'hono';
import type { Config } from './config/types.ts';
import type { BalancerDeps, RequestHead } from './deps.ts';
import { BalancerState, type FrontendRuntime } from './balancer/balancer-state.ts';
import { chooseBackend, requestPath } from './routing/choose-backend.ts';
import { proxyRequest } from './proxy/proxy-request.ts';
import { builtinErrorResponse } from './proxy/error-pages.ts';
import { errorResponse } from './proxy/responses.ts';
import { createStatsService } from './stats/stats-service.ts';

/** What an adapter tells the app about a request, beyond the Fetch `Request`. */
export interface BalancerBindings {
  /** Name of the frontend whose listener accepted the request (default: the first one). */
  readonly frontend?: string;
  readonly clientAddress?: string;
  readonly clientPort?: number;
  /**
   * The request's header lines as received (name, value, name, value, …).
   * Fetch's `Headers` merges repeated lines; HAProxy keeps them, so runtimes
   * that have the raw lines pass them here.
   */
  readonly rawHeaders?: readonly string[];
  /**
   * The request-target as received (`/a/../b?x`). A Fetch `Request`'s URL is
   * normalised (`/b?x`); HAProxy forwards and matches the target unchanged.
   */
  readonly rawTarget?: string;
}

/**
 * The Hono app, plus its live state: adapters hand `state` to the health
 * checks, which need each server's admin state as well as its health.
 */
export type BalancerApp = Hono<{ Bindings: BalancerBindings }> & { readonly state: BalancerState };

export function createBalancer(config: Config, deps: BalancerDeps): BalancerApp {
  const state = new BalancerState(config, deps.healthStore, deps.clock.now());
  const firstFrontend = state.frontends.values().next().value as FrontendRuntime | undefined;
  const stats = createStatsService(state, deps);

  const app = Object.assign(new Hono<{ Bindings: BalancerBindings }>(), { state });
  app.all('*', async (c) => {
    const env: BalancerBindings = c.env ?? {};
    const entry = env.frontend ? state.frontends.get(env.frontend) : firstFrontend;
    if (!entry) return errorResponse(builtinErrorResponse(503));

    const request = c.req.raw;
    // `stats uri` is intercepted before balancing, on the frontend (a `listen`'s
    // stats config is on both parts) and then on the backend chosen for it.
    const statsResponse = stats.serve(entry.frontend.stats, entry, request, env.clientAddress);
    if (statsResponse) return statsResponse;
    const url = new URL(request.url);
    // An absolute-form target (`GET http://host/x`) is forwarded in origin form.
    const target = env.rawTarget?.startsWith('/') ? env.rawTarget : url.pathname + url.search;
    const head: RequestHead = {
      method: request.method,
      target,
      headers: env.rawHeaders ? pairs(env.rawHeaders) : [...request.headers],
    };
    const backendName = chooseBackend(entry.frontend, { path: requestPath(target), headers: head.headers });
    const runtime = backendName === undefined ? undefined : state.backends.get(backendName);
    if (!runtime) return errorResponse(builtinErrorResponse(503));
    const backendStats = stats.serve(runtime.backend.stats, entry, request, env.clientAddress);
    if (backendStats) return backendStats;

    return proxyRequest(
      {
        frontend: entry.frontend,
        frontendCounters: entry.counters,
        runtime,
        head,
        body: request.body,
        client: { address: env.clientAddress ?? '', port: env.clientPort },
        signal: request.signal,
      },
      deps,
    );
  });
  return app;
}

function pairs(raw: readonly string[]): [string, string][] {
  const lines: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push([raw[i]!, raw[i + 1]!]);
  return lines;
}
