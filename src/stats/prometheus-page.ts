/**
 * `http-request use-service prometheus-exporter`: the metrics of every proxy,
 * as HAProxy's exporter serves them, whatever the request's path. The same
 * rendering as a stats page's `;prometheus` (./render-prometheus.ts), as a
 * ready page the admission step's `answer` runtimes already send.
 */
import type { BalancerState } from '../balancer/balancer-state.ts';
import type { ErrorResponse } from '../proxy/error-pages.ts';
import { collectStats, type CollectOptions } from './collect.ts';
import { renderPrometheus } from './render-prometheus.ts';

/** `counters`: every worker's, added up (deps.fleet), instead of this balancer's own. */
export function prometheusPage(state: BalancerState, now: number, counters?: CollectOptions['counters']): ErrorResponse {
  const body = renderPrometheus(collectStats(state, { now, counters }));
  return {
    status: 200,
    headers: [
      ['cache-control', 'no-cache'],
      ['content-type', 'text/plain; version=0.0.4'],
      ['content-length', String(new TextEncoder().encode(body).length)],
    ],
    body,
  };
}
